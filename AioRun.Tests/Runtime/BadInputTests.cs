using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>Bad input gets a clear exception or warning naming the problem.</summary>
public class BadInputTests
{
    [Fact]
    public void AioLoop_Current_off_the_loop_says_where_it_may_be_used()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AioLoop.Current);
        Assert.Contains("AioLoop.Current was used on thread", error.Message, StringComparison.Ordinal);
        Assert.Contains("only available to code that runs on the loop", error.Message, StringComparison.Ordinal);
        Assert.False(AioLoop.TryGetCurrent(out _));
    }

    [Fact]
    public void Aio_members_outside_any_loop_or_task_say_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => { _ = Aio.Sleep(1); });
        Assert.Contains("No AioLoop runs on thread", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(() => Task.CompletedTask));
        Assert.Throws<InvalidOperationException>(Aio.Stop);
    }

    [Fact]
    public void RunForever_while_running_is_refused()
    {
        using var t = new TestLoop();
        Exception? nested = null;
        t.Loop.CallSoon(() =>
        {
            nested = Record.Exception(t.Loop.RunForever);
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.IsType<InvalidOperationException>(nested);
        Assert.Contains("already running", nested!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunForever_from_a_second_thread_while_running_is_refused()
    {
        using var t = new TestLoop();
        Exception? fromOtherThread = null;
        t.Loop.CallSoon(() =>
        {
            var other = new Thread(() => fromOtherThread = Record.Exception(t.Loop.RunForever));
            other.Start();
            other.Join();
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Contains("already running on another thread", fromOtherThread!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CallSoon_from_another_thread_while_the_loop_runs_names_the_thread_safe_call()
    {
        using var t = new TestLoop();
        Exception? fromOtherThread = null;
        bool posted = false;
        t.Loop.CallSoon(() =>
        {
            var other = new Thread(() =>
            {
                fromOtherThread = Record.Exception(() => t.Loop.CallSoon(() => { }));
                t.Loop.Post(_ => posted = true, null);
            });
            other.Start();
            other.Join();
            t.Loop.CallSoon(t.Loop.Stop);
        });

        t.Loop.RunForever();

        var error = Assert.IsType<InvalidOperationException>(fromOtherThread);
        Assert.Contains("AioLoop.CallSoon was called on thread", error.Message, StringComparison.Ordinal);
        Assert.Contains("Use CallSoonThreadsafe from other threads", error.Message, StringComparison.Ordinal);
        Assert.True(posted, "Post from another thread is thread-safe and must reach the loop.");
    }

    [Fact]
    public void CallSoon_on_one_loop_from_the_thread_of_another_running_loop_is_refused()
    {
        using var t = new TestLoop();
        using var other = new AioLoop();
        using var otherRunning = new ManualResetEventSlim();
        var otherThread = new Thread(() =>
        {
            other.CallSoon(otherRunning.Set);
            other.RunForever();
        });
        otherThread.Start();
        Assert.True(otherRunning.Wait(TimeSpan.FromSeconds(30)), "The second loop did not start.");

        Exception? error = null;
        t.Loop.CallSoon(() =>
        {
            error = Record.Exception(() => other.CallSoon(() => { }));
            t.Loop.Stop();
        });
        t.Loop.RunForever();
        other.CallSoonThreadsafe(other.Stop);
        otherThread.Join();

        Assert.Contains("it is not thread-safe", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_loop_cannot_run_on_a_thread_that_runs_one()
    {
        using var t = new TestLoop();
        using var other = new AioLoop();
        Exception? error = null;
        t.Loop.CallSoon(() =>
        {
            error = Record.Exception(other.RunForever);
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Contains("Another AioLoop is already running on thread", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_loop_cannot_run_or_take_new_tasks_or_timers()
    {
        var t = new TestLoop();
        t.Loop.Close();

        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(t.Loop.RunForever).Message, StringComparison.Ordinal);
        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(() => t.Loop.CreateTask(() => Task.CompletedTask)).Message, StringComparison.Ordinal);
        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(() => t.Loop.CallLater(1, () => { })).Message, StringComparison.Ordinal);
        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(() => { _ = t.Loop.RunInExecutor(() => { }); }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Closing_a_running_loop_is_refused()
    {
        using var t = new TestLoop();
        Exception? error = null;
        t.Loop.CallSoon(() =>
        {
            error = Record.Exception(t.Loop.Close);
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Contains("Cannot close a running AioLoop", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Work_posted_after_close_is_dropped_counted_and_warned_about_once_never_thrown_into_the_posting_thread()
    {
        var t = new TestLoop();
        t.Loop.Close();
        var errors = new List<Exception>();
        var poster = new Thread(() =>
        {
            foreach (Action post in new Action[]
            {
                () => t.Loop.Post(_ => { }, null),
                () => t.Loop.CallSoonThreadsafe(() => { }),
                () => t.Loop.CallSoonThreadsafe(_ => { }, null),
            })
            {
                try
                {
                    post();
                }
                catch (Exception ex)
                {
                    errors.Add(ex);
                }
            }
        });
        poster.Start();
        poster.Join();
        t.Loop.CallSoon(() => { });

        Assert.Empty(errors);
        Assert.Equal(4, t.Loop.DroppedWorkCount);
        var warning = Assert.Single(t.Logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("work not tracked by the loop", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_await_that_resumes_after_close_is_dropped_not_thrown()
    {
        var t = new TestLoop();
        var late = new TaskCompletionSource();
        t.Loop.CreateTask(async () =>
        {
            await late.Task;
        });
        t.Loop.CallSoon(t.Loop.Stop);
        t.Loop.RunForever();
        t.Loop.Close();

        Exception? error = Record.Exception(() => Task.Run(() => late.SetResult()).GetAwaiter().GetResult());

        Assert.Null(error);
        Assert.Equal(1, t.Loop.DroppedWorkCount);
    }

    [Fact]
    public void Negative_NaN_and_out_of_range_times_and_counts_name_the_problem()
    {
        using var t = new TestLoop();

        var negativeTimeout = Assert.Throws<ArgumentOutOfRangeException>(() => new AioRunOptions { ShutdownTimeout = TimeSpan.FromSeconds(-1) });
        Assert.Equal("ShutdownTimeout", negativeTimeout.ParamName);
        Assert.Contains("must be zero or more", negativeTimeout.Message, StringComparison.Ordinal);

        var nanTimeout = Assert.Throws<ArgumentOutOfRangeException>(() => AioRunOptions.ShutdownTimeoutFromSeconds(double.NaN));
        Assert.Contains("NaN", nanTimeout.Message, StringComparison.Ordinal);
        Assert.Contains("negative", Assert.Throws<ArgumentOutOfRangeException>(() => AioRunOptions.ShutdownTimeoutFromSeconds(-5)).Message, StringComparison.Ordinal);
        Assert.Equal(Timeout.InfiniteTimeSpan, AioRunOptions.ShutdownTimeoutFromSeconds(double.PositiveInfinity));

        Assert.Equal("ExecutorWorkers", Assert.Throws<ArgumentOutOfRangeException>(() => new AioRunOptions { ExecutorWorkers = 0 }).ParamName);
        Assert.Equal("ExecutorWorkers", Assert.Throws<ArgumentOutOfRangeException>(() => t.Loop.ExecutorWorkers = -2).ParamName);

        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => t.Loop.CallLater(TimeSpan.FromSeconds(-1), () => { })).ParamName);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => t.Loop.CallLater(double.NaN, () => { })).Message, StringComparison.Ordinal);

        t.Run(async () =>
        {
            Assert.Contains("negative", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Aio.Sleep(-0.5); }).Message, StringComparison.Ordinal);
            Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Aio.Sleep(double.NaN); }).Message, StringComparison.Ordinal);
            Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Aio.Sleep(TimeSpan.FromTicks(-1)); }).ParamName);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void Null_work_delegates_are_rejected_by_name()
    {
        using var t = new TestLoop();
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => t.Loop.CreateTask((Func<CancellationToken, Task>)null!)).ParamName);
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => t.Loop.CreateTask((Func<Task<int>>)null!)).ParamName);
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => { _ = t.Loop.RunInExecutor((Action)null!); }).ParamName);
        Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => { _ = t.Loop.RunInExecutor((Func<int>)null!); }).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => t.Loop.CallSoon(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => t.Loop.CallSoonThreadsafe(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => t.Loop.CallLater(1, null!)).ParamName);
        Assert.Equal("d", Assert.Throws<ArgumentNullException>(() => t.Loop.Post(null!, null)).ParamName);
        t.Run(async () =>
        {
            Assert.Equal("work", Assert.Throws<ArgumentNullException>(() => { _ = Aio.ShutdownWaitsFor((Func<CancellationToken, Task>)null!); }).ParamName);
            Assert.Equal("task", Assert.Throws<ArgumentNullException>(() => { _ = Aio.ShutdownWaitsFor((Task)null!); }).ParamName);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void The_single_threaded_API_used_from_another_thread_while_the_loop_runs_points_to_the_threadsafe_one()
    {
        using var t = new TestLoop();
        Exception? callSoon = null;
        Exception? allTasks = null;
        t.Loop.CallSoon(() =>
        {
            var other = new Thread(() =>
            {
                callSoon = Record.Exception(() => t.Loop.CallSoon(() => { }));
                allTasks = Record.Exception(() => t.Loop.AllTasks());
            });
            other.Start();
            other.Join();
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Contains("Use CallSoonThreadsafe", callSoon!.Message, StringComparison.Ordinal);
        Assert.Contains("AioLoop.AllTasks was called on thread", allTasks!.Message, StringComparison.Ordinal);
    }
}
