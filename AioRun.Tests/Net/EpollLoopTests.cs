using Xunit;

namespace AioRun.Tests.Net;

/// <summary>The rest of the loop on the EpollLoop: real-time timers, the executor, posts from other threads, ShutdownWaitsFor.</summary>
public class EpollLoopTests
{
    [LinuxFact]
    public void Timers_the_executor_posts_from_other_threads_and_ShutdownWaitsFor_work_on_it()
    {
        var seen = new List<string>();
        Loops.Run(Loops.Epoll, async () =>
        {
            AioLoop loop = AioLoop.Current;
            Assert.IsType<EpollLoop>(loop);

            // A timer wakes the idle loop: epoll_wait's timeout.
            var timer = new TaskCompletionSource();
            loop.CallLater(TimeSpan.FromMilliseconds(30), () => timer.SetResult());
            await timer.Task;
            seen.Add("timer");

            await Aio.Sleep(0.02);
            seen.Add("sleep");

            // Executor work runs on another thread; its result comes back through the eventfd.
            int threadId = await Aio.RunInExecutor(() => Environment.CurrentManagedThreadId);
            Assert.NotEqual(Environment.CurrentManagedThreadId, threadId);
            seen.Add("executor");

            // A post from a plain thread wakes the loop blocked in epoll_wait.
            var posted = new TaskCompletionSource<bool>();
            var thread = new Thread(() => loop.CallSoonThreadsafe(() => posted.SetResult(AioLoop.TryGetCurrent(out AioLoop? on) && ReferenceEquals(on, loop))));
            thread.Start();
            Assert.True(await posted.Task);
            thread.Join();
            seen.Add("post");

            await Aio.ShutdownWaitsFor(async ct => await Aio.Sleep(0.01, ct));
            seen.Add("shield");
        });

        Assert.Equal(new[] { "timer", "sleep", "executor", "post", "shield" }, seen);
    }

    [LinuxFact]
    public void Posts_from_many_threads_at_once_all_wake_the_loop()
    {
        // Posters race the loop's drain of its eventfd: a wake-up lost there would leave the loop asleep in
        // epoll_wait with work queued, and this would never finish.
        const int Threads = 4;
        const int PostsEach = 20_000;
        int ran = Loops.Run(Loops.Epoll, async () =>
        {
            AioLoop loop = AioLoop.Current;
            int count = 0;
            var all = new TaskCompletionSource();
            var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
            {
                for (int i = 0; i < PostsEach; i++)
                {
                    loop.CallSoonThreadsafe(() =>
                    {
                        if (++count == Threads * PostsEach)
                        {
                            all.SetResult();
                        }
                    });
                    if (i % 64 == 0)
                    {
                        Thread.Yield(); // let the loop go idle now and then
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            await all.Task.WaitAsync(ChildProcessTimeout);
            threads.ForEach(t => t.Join());
            return count;
        });

        Assert.Equal(Threads * PostsEach, ran);
    }

    private static readonly TimeSpan ChildProcessTimeout = TimeSpan.FromSeconds(60);

    [LinuxFact]
    public void Closing_the_epoll_loop_releases_its_epoll_and_eventfd_descriptors()
    {
        // Other tests open descriptors meanwhile; 200 loops that each leaked two would stand out from that noise.
        int before = Loops.OpenFileDescriptors();
        for (int i = 0; i < 200; i++)
        {
            Loops.Run(Loops.Epoll, () => Task.CompletedTask);
        }

        Assert.True(Loops.OpenFileDescriptors() - before < 100);
    }
}
