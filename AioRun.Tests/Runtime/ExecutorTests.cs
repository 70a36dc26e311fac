using Xunit;

namespace AioRun.Tests.Runtime;

public class ExecutorTests
{
    [Fact]
    public void Work_runs_off_the_loop_and_its_result_resumes_on_the_loop()
    {
        using var t = new TestLoop();
        int loopThread = Environment.CurrentManagedThreadId;
        (int WorkThread, int ResumedOn, string Result) seen = t.Run(async () =>
        {
            int workThread = 0;
            string result = await Aio.RunInExecutor(() =>
            {
                workThread = Environment.CurrentManagedThreadId;
                return "computed";
            });
            return (workThread, Environment.CurrentManagedThreadId, result);
        });

        Assert.NotEqual(loopThread, seen.WorkThread);
        Assert.Equal(loopThread, seen.ResumedOn);
        Assert.Equal("computed", seen.Result);
    }

    [Fact]
    public void An_exception_in_the_work_reaches_the_awaiter()
    {
        using var t = new TestLoop();
        var error = Assert.Throws<FormatException>(() => t.Run(() => Aio.RunInExecutor(() => throw new FormatException("in executor"))));
        Assert.Equal("in executor", error.Message);
    }

    [Fact]
    public void A_failure_nobody_awaited_goes_to_the_exception_handler_once_the_GC_finds_it()
    {
        using var t = new TestLoop();
        var seen = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, context) => seen.Add(context));

        SubmitAndForget(t.Loop, () => throw new FormatException("nobody awaits me"));
        Garbage.CollectUntil(t.Loop, () => seen.Count > 0);

        AioExceptionContext reported = Assert.Single(seen);
        Assert.Equal("Exception in executor work that nobody awaited", reported.Message);
        Assert.Equal("nobody awaits me", Assert.IsType<FormatException>(reported.Exception).Message);
    }

    [Fact]
    public void A_failure_that_was_awaited_is_not_reported_again_by_the_GC()
    {
        using var t = new TestLoop();
        var seen = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, context) => seen.Add(context));
        Assert.Throws<FormatException>(() => t.Run(() => Aio.RunInExecutor(() => throw new FormatException("awaited"))));

        SubmitAndForget(t.Loop, () => throw new FormatException("a marker that the GC ran"));
        Garbage.CollectUntil(t.Loop, () => seen.Count > 0);

        Assert.Equal("a marker that the GC ran", Assert.Single(seen).Exception!.Message);
    }

    [Fact]
    public void After_the_loop_closed_an_unawaited_failure_is_logged_by_the_default_handler()
    {
        var t = new TestLoop();
        SubmitAndForget(t.Loop, () => throw new FormatException("after close"));
        t.Loop.Close();

        Garbage.CollectUntil(() => t.Logger.Lines.Any(l => l.Contains("nobody awaited", StringComparison.Ordinal)));

        var entry = Assert.Single(t.Logger.Entries, e => e.Message == "Exception in executor work that nobody awaited");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, entry.Level);
        Assert.Equal("after close", entry.Exception!.Message);
    }

    /// <summary>Submits work and drops its task (in a frame of its own, so no local keeps it), then waits until it ran.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    internal static void SubmitAndForget(AioLoop loop, Action work)
    {
        _ = loop.RunInExecutor(work);
        Assert.True(SpinWait.SpinUntil(() => loop.PendingExecutorWork == 0, TimeSpan.FromSeconds(30)), "The executor work did not finish.");
    }

    [Fact]
    public void ExecutorWorkers_bounds_how_many_run_at_once()
    {
        using var t = new TestLoop();
        t.Loop.ExecutorWorkers = 2;
        int running = 0;
        int maxRunning = 0;
        using var release = new ManualResetEventSlim();
        using var twoStarted = new CountdownEvent(2);

        t.Run(async () =>
        {
            var jobs = Enumerable.Range(0, 8).Select(_ => Aio.RunInExecutor(() =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                if (!twoStarted.IsSet)
                {
                    twoStarted.Signal();
                }

                release.Wait();
                Interlocked.Decrement(ref running);
            })).ToArray();

            await Task.Run(() => twoStarted.Wait()); // outside the bounded executor
            Assert.Equal(8, t.Loop.PendingExecutorWork);
            Assert.Equal(2, Volatile.Read(ref running));
            release.Set();
            await Task.WhenAll(jobs);
        });

        Assert.Equal(2, maxRunning);
        Assert.Equal(0, t.Loop.PendingExecutorWork);
    }

    [Fact]
    public void The_shutdown_waits_for_executor_work_nobody_awaits()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        using var release = new ManualResetEventSlim();
        bool finished = false;
        loop.CreateTask(() =>
        {
            _ = Aio.RunInExecutor(() =>
            {
                release.Wait();
                Volatile.Write(ref finished, true);
            });
            Aio.Stop();
            return Task.CompletedTask;
        });

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        program.RunPendingTasksTillComplete();
        Assert.Equal(1, loop.PendingExecutorWork);
        ThreadPool.QueueUserWorkItem(_ => release.Set());
        program.WaitForExecutorShutdown();

        Assert.True(Volatile.Read(ref finished));
        Assert.Equal(0, loop.PendingExecutorWork);
    }

    [Fact]
    public void Cancelling_the_awaiting_task_ends_its_await_at_once_and_the_shutdown_still_waits_for_the_work()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool finished = false;
        var seen = new List<string>();
        AioTask main = loop.CreateTask(async () =>
        {
            try
            {
                await Aio.RunInExecutor(() =>
                {
                    started.Set();
                    release.Wait();
                    Volatile.Write(ref finished, true);
                });
                seen.Add("await returned");
            }
            catch (OperationCanceledException)
            {
                seen.Add("await cancelled");
                throw;
            }
        }, "main");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "The executor work did not start.");
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        DateTimeOffset cancelled = t.Time.GetUtcNow();
        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120));
        bool allExited = program.RunPendingTasksTillComplete();

        // The await ended with the cancellation, a turn or two later, not with the 60 s shutdown timeout.
        Assert.True(allExited);
        Assert.True(t.Time.GetUtcNow() - cancelled < TimeSpan.FromSeconds(1), $"{t.Time.GetUtcNow() - cancelled} of virtual time passed");
        Assert.True(main.IsCancelled);
        Assert.Equal(new[] { "await cancelled" }, seen);
        Assert.DoesNotContain(t.Logger.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(1, loop.PendingExecutorWork);
        Assert.False(Volatile.Read(ref finished));

        ThreadPool.QueueUserWorkItem(_ => release.Set());
        program.WaitForExecutorShutdown();

        Assert.True(Volatile.Read(ref finished));
        Assert.Equal(0, loop.PendingExecutorWork);
    }

    [Fact]
    public void A_failure_of_the_work_after_its_awaiting_task_was_cancelled_goes_to_the_exception_handler()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        var reported = new List<AioExceptionContext>();
        loop.SetExceptionHandler((_, context) => reported.Add(context));
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        AioTask main = loop.CreateTask(async () =>
        {
            await Aio.RunInExecutor(() =>
            {
                started.Set();
                release.Wait();
                throw new FormatException("failed after the caller left");
            });
        }, "main");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "The executor work did not start.");
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(120));
        Assert.True(program.RunPendingTasksTillComplete());
        ThreadPool.QueueUserWorkItem(_ => release.Set());
        program.WaitForExecutorShutdown();
        // The report was posted before the work counted as done; one more turn delivers it.
        loop.CallSoon(loop.Stop);
        loop.RunForever();

        Assert.True(main.IsCancelled);
        AioExceptionContext context = Assert.Single(reported);
        Assert.Equal("Exception in executor work that nobody awaited", context.Message);
        Assert.Equal("failed after the caller left", Assert.IsType<FormatException>(context.Exception).Message);
    }

    [Fact]
    public void Work_submitted_by_a_task_already_cancelled_still_runs_and_its_await_is_cancelled_at_once()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        bool ran = false;
        string? seen = null;
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                Task work = Aio.RunInExecutor(() => Volatile.Write(ref ran, true));
                seen = work.IsCanceled ? "cancelled at once" : "not cancelled";
                throw;
            }
        }, "main");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        Assert.True(program.RunPendingTasksTillComplete());
        program.WaitForExecutorShutdown();

        Assert.Equal("cancelled at once", seen);
        Assert.True(Volatile.Read(ref ran));
    }

    [Fact]
    public async Task Outside_a_task_the_work_s_task_has_the_work_s_outcome_only()
    {
        using var t = new TestLoop();
        using var release = new ManualResetEventSlim();

        Task<int> work = t.Loop.RunInExecutor(() =>
        {
            release.Wait();
            return 42;
        });
        release.Set();

        Assert.Equal(42, await work);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
