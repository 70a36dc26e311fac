using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Runtime;

public class LoopTests
{
    [Fact]
    public void CallSoon_runs_callbacks_in_order_on_the_thread_that_runs_the_loop()
    {
        using var t = new TestLoop();
        var order = new List<int>();
        int loopThread = Environment.CurrentManagedThreadId;
        t.Loop.CallSoon(() => order.Add(1));
        t.Loop.CallSoon(state => order.Add((int)state!), 2);
        t.Loop.CallSoon(() =>
        {
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            order.Add(3);
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Equal(new[] { 1, 2, 3 }, order);
    }

    [Fact]
    public void Stop_finishes_the_current_turn_and_leaves_callbacks_scheduled_during_it_for_the_next_run()
    {
        using var t = new TestLoop();
        var ran = new List<string>();
        t.Loop.CallSoon(() =>
        {
            ran.Add("a");
            t.Loop.CallSoon(() => ran.Add("scheduled during the turn"));
            t.Loop.Stop();
        });
        t.Loop.CallSoon(() => ran.Add("b (same turn)"));

        t.Loop.RunForever();
        Assert.Equal(new[] { "a", "b (same turn)" }, ran);

        t.Loop.Stop();
        t.Loop.RunForever();
        Assert.Equal(new[] { "a", "b (same turn)", "scheduled during the turn" }, ran);
    }

    [Fact]
    public void An_endless_callback_chain_starves_neither_timers_nor_posts_from_other_threads()
    {
        using var t = new TestLoop();
        bool timerFired = false;
        bool postArrived = false;
        void Chain()
        {
            if (timerFired && postArrived)
            {
                t.Loop.Stop();
            }
            else
            {
                t.Loop.CallSoon(Chain);
            }
        }

        t.Loop.CallLater(1.0, () => timerFired = true);
        t.Loop.CallSoon(Chain);
        t.Loop.CallSoon(() => ThreadPool.QueueUserWorkItem(_ =>
        {
            t.Time.Advance(TimeSpan.FromSeconds(1));
            t.Loop.CallSoonThreadsafe(() => postArrived = true);
        }));

        t.Loop.RunForever();

        Assert.True(timerFired);
        Assert.True(postArrived);
    }

    [Fact]
    public void A_stop_requested_before_RunForever_lets_one_turn_run_then_returns()
    {
        using var t = new TestLoop();
        bool ran = false;
        t.Loop.CallSoon(() => ran = true);
        t.Loop.Stop();

        t.Loop.RunForever();

        Assert.True(ran);
        Assert.False(t.Loop.IsRunning);
    }

    [Fact]
    public void CallSoonThreadsafe_from_another_thread_wakes_a_waiting_loop()
    {
        using var t = new TestLoop();
        int ranOn = 0;
        var poster = new Thread(() => t.Loop.CallSoonThreadsafe(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            t.Loop.Stop();
        }));
        t.Loop.CallSoon(poster.Start);

        t.Loop.RunForever();
        poster.Join();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [Fact]
    public void Many_threads_posting_at_once_lose_nothing()
    {
        using var t = new TestLoop();
        const int Threads = 4;
        const int PerThread = 20_000;
        int received = 0;
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                t.Loop.Post(_ =>
                {
                    if (++received == Threads * PerThread)
                    {
                        t.Loop.Stop();
                    }
                }, null);
            }
        })).ToArray();
        t.Loop.CallSoon(() => Array.ForEach(threads, th => th.Start()));

        t.Loop.RunForever();

        Assert.Equal(Threads * PerThread, received);
    }

    [Fact]
    public void CallLater_runs_when_virtual_time_reaches_the_delay_in_due_order_and_a_cancelled_handle_never_runs()
    {
        using var t = new TestLoop();
        var ran = new List<string>();
        t.Loop.CallLater(TimeSpan.FromSeconds(2), () => ran.Add("2s"));
        t.Loop.CallLater(1.0, () => ran.Add("1s"));
        TimerHandle cancelled = t.Loop.CallLater(1.5, () => ran.Add("cancelled"));
        t.Loop.CallLater(TimeSpan.FromSeconds(2), () => ran.Add("2s, scheduled second"));
        cancelled.Cancel();
        t.Loop.CallLater(3.0, t.Loop.Stop);

        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));
        t.Loop.RunForever();

        Assert.Equal(new[] { "1s", "2s", "2s, scheduled second" }, ran);
        Assert.True(cancelled.IsCancelled);
    }

    [Fact]
    public void A_loop_waiting_for_a_timer_wakes_when_another_thread_moves_virtual_time()
    {
        using var t = new TestLoop();
        bool fired = false;
        t.Loop.CallLater(30.0, () =>
        {
            fired = true;
            t.Loop.Stop();
        });
        var clock = new Thread(() => t.Time.Advance(TimeSpan.FromSeconds(30)));
        t.Loop.CallSoon(clock.Start);

        t.Loop.RunForever();
        clock.Join();

        Assert.True(fired);
    }

    [Fact]
    public void Time_and_TimerHandle_When_follow_the_loop_clock()
    {
        using var t = new TestLoop();
        double start = t.Loop.Time();
        TimerHandle handle = t.Loop.CallLater(5.0, () => { });
        t.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(2.0, t.Loop.Time() - start, precision: 3);
        Assert.Equal(5.0, handle.When - start, precision: 3);
    }

    [Fact]
    public void The_loop_is_the_synchronization_context_of_its_thread_and_AioLoop_Current_while_it_runs()
    {
        using var t = new TestLoop();
        SynchronizationContext? inCallback = null;
        AioLoop? currentInCallback = null;
        t.Loop.CallSoon(() =>
        {
            inCallback = SynchronizationContext.Current;
            currentInCallback = AioLoop.Current;
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Same(t.Loop, inCallback);
        Assert.Same(t.Loop, currentInCallback);
        Assert.NotSame(t.Loop, SynchronizationContext.Current);
    }

    [Fact]
    public void Every_await_in_a_task_resumes_on_the_loop_thread()
    {
        using var t = new TestLoop();
        int loopThread = Environment.CurrentManagedThreadId;
        var seen = new List<int>();

        t.Run(async () =>
        {
            seen.Add(Environment.CurrentManagedThreadId);
            await Task.Yield();
            seen.Add(Environment.CurrentManagedThreadId);
            await Task.Run(() => Thread.Sleep(1));
            seen.Add(Environment.CurrentManagedThreadId);
            await t.Loop.RunInExecutor(() => 1);
            seen.Add(Environment.CurrentManagedThreadId);
        });

        Assert.All(seen, id => Assert.Equal(loopThread, id));
        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public void Post_from_another_thread_runs_on_the_loop()
    {
        using var t = new TestLoop();
        int ranOn = 0;
        t.Loop.CallSoon(() => ThreadPool.QueueUserWorkItem(_ => t.Loop.Post(_ =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            t.Loop.Stop();
        }, null)));

        t.Loop.RunForever();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [Fact]
    public void Send_on_the_loop_thread_runs_inline()
    {
        using var t = new TestLoop();
        var order = new List<string>();
        t.Loop.CallSoon(() =>
        {
            t.Loop.Send(_ => order.Add("sent"), null);
            order.Add("after send");
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.Equal(new[] { "sent", "after send" }, order);
    }

    [Fact]
    public void Send_from_another_thread_blocks_until_the_loop_ran_it_and_rethrows_its_exception()
    {
        using var t = new TestLoop();
        int ranOn = 0;
        Exception? rethrown = null;
        bool returnedAfterRun = false;
        var sender = new Thread(() =>
        {
            t.Loop.Send(_ => ranOn = Environment.CurrentManagedThreadId, null);
            returnedAfterRun = ranOn != 0;
            try
            {
                t.Loop.Send(_ => throw new FormatException("from the loop"), null);
            }
            catch (Exception ex)
            {
                rethrown = ex;
            }

            t.Loop.CallSoonThreadsafe(t.Loop.Stop);
        });
        t.Loop.CallSoon(sender.Start);

        t.Loop.RunForever();
        sender.Join();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        Assert.True(returnedAfterRun);
        Assert.IsType<FormatException>(rethrown);
    }

    [Fact]
    public void Send_to_a_closed_loop_throws_instead_of_blocking_forever()
    {
        var t = new TestLoop();
        t.Loop.Close();
        Exception? error = null;
        var sender = new Thread(() => error = Record.Exception(() => t.Loop.Send(_ => { }, null)));
        sender.Start();
        sender.Join();

        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("closed", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_callback_that_throws_goes_to_the_exception_handler_and_the_loop_keeps_running()
    {
        using var t = new TestLoop();
        var contexts = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, context) => contexts.Add(context));
        bool nextRan = false;
        t.Loop.CallSoon(() => throw new FormatException("boom"));
        t.Loop.CallSoon(() =>
        {
            nextRan = true;
            t.Loop.Stop();
        });

        t.Loop.RunForever();

        Assert.True(nextRan);
        AioExceptionContext context = Assert.Single(contexts);
        Assert.IsType<FormatException>(context.Exception);
        Assert.Equal("Exception in callback", context.Message);
    }

    [Fact]
    public void An_exception_handler_that_throws_is_logged_by_the_default_handler()
    {
        using var t = new TestLoop();
        t.Loop.SetExceptionHandler((_, _) => throw new InvalidOperationException("handler broke"));
        t.Loop.CallSoon(() => throw new FormatException("boom"));
        t.Loop.CallSoon(t.Loop.Stop);

        t.Loop.RunForever();

        var entry = Assert.Single(t.Logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("Unhandled error in the exception handler", entry.Message);
        Assert.Equal("handler broke", entry.Exception!.Message);
    }

    [Fact]
    public void The_default_exception_handler_logs_the_error_with_its_exception()
    {
        using var t = new TestLoop();
        t.Loop.CallSoon(() => throw new FormatException("boom"));
        t.Loop.CallSoon(t.Loop.Stop);

        t.Loop.RunForever();

        var entry = Assert.Single(t.Logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<FormatException>(entry.Exception);
        Assert.Null(t.Loop.GetExceptionHandler());
    }

    [Fact]
    public void RunUntilComplete_returns_the_result_and_rethrows_the_failure()
    {
        using var t = new TestLoop();
        Assert.Equal(5, t.Loop.RunUntilComplete(Delayed(5)));
        var error = Assert.Throws<FormatException>(() => t.Loop.RunUntilComplete(Failing()));
        Assert.Equal("bad", error.Message);

        static async Task<int> Delayed(int value)
        {
            await Task.Yield();
            return value;
        }

        static async Task Failing()
        {
            await Task.Yield();
            throw new FormatException("bad");
        }
    }

    [Fact]
    public void RunUntilComplete_throws_when_the_loop_is_stopped_before_the_task_completes()
    {
        using var t = new TestLoop();
        var never = new TaskCompletionSource();
        t.Loop.CallSoon(t.Loop.Stop);

        var error = Assert.Throws<InvalidOperationException>(() => t.Loop.RunUntilComplete(never.Task));
        Assert.Contains("stopped before the task", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_that_completes_after_its_RunUntilComplete_gave_up_does_not_stop_a_later_run()
    {
        using var t = new TestLoop();
        var late = new TaskCompletionSource();
        t.Loop.CallSoon(t.Loop.Stop);
        Assert.Throws<InvalidOperationException>(() => t.Loop.RunUntilComplete(late.Task));
        late.SetResult();

        var turns = 0;
        void Count()
        {
            if (++turns < 50)
            {
                t.Loop.CallSoon(Count);
            }
            else
            {
                t.Loop.Stop();
            }
        }

        t.Loop.CallSoon(Count);
        t.Loop.RunForever();

        Assert.Equal(50, turns);
    }

    [Fact]
    public void Close_drops_queued_callbacks_and_logs_how_many()
    {
        var t = new TestLoop();
        bool ran = false;
        t.Loop.CallSoon(() => ran = true);
        t.Loop.CallSoon(() => ran = true);

        t.Loop.Close();

        Assert.False(ran);
        Assert.True(t.Loop.IsClosed);
        Assert.Contains("The AioLoop was closed with 2 callbacks still queued; they will not run.", t.Logger.Lines);
        t.Loop.Close(); // idempotent
    }
}
