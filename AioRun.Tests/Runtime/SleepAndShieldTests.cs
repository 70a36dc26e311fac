using Xunit;

namespace AioRun.Tests.Runtime;

public class SleepTests
{
    [Fact]
    public void Sleep_completes_only_when_virtual_time_reaches_it()
    {
        using var t = new TestLoop();
        var log = new List<string>();
        t.Run(async () =>
        {
            AioTask sleeper = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(60);
                log.Add("woke at " + t.Time.GetUtcNow().ToString("HH:mm:ss"));
            });
            await Task.Yield();
            await Task.Yield();
            log.Add("still asleep: " + !sleeper.IsDone);
            t.Time.Advance(TimeSpan.FromSeconds(59));
            await Task.Yield();
            log.Add("after 59 s: " + !sleeper.IsDone);
            t.Time.Advance(TimeSpan.FromSeconds(1));
            await sleeper;
        });

        Assert.Equal(new[] { "still asleep: True", "after 59 s: True", "woke at 00:01:00" }, log);
    }

    [Fact]
    public void Sleep_observes_the_current_tasks_token_and_an_explicit_one_instead()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            AioTask ambient = Aio.CreateTask(() => Aio.Sleep(TimeSpan.FromHours(1)));
            var cleanupToken = CancellationToken.None;
            bool cleanupFinished = false;
            AioTask cleanup = Aio.CreateTask(async () =>
            {
                try
                {
                    await Aio.Sleep(3600);
                }
                catch (OperationCanceledException)
                {
                    await Aio.Sleep(0.5, cleanupToken); // cleanup is not cancelled again
                    cleanupFinished = true;
                }
            });
            await Task.Yield();
            ambient.Cancel();
            cleanup.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ambient);
            t.Time.Advance(TimeSpan.FromSeconds(0.5));
            await cleanup;
            Assert.True(cleanupFinished);
        });
    }

    [Fact]
    public void Sleep_zero_yields_to_the_next_turn()
    {
        using var t = new TestLoop();
        var order = new List<string>();
        t.Run(async () =>
        {
            t.Loop.CallSoon(() => order.Add("callback"));
            await Aio.Sleep(0);
            order.Add("after sleep(0)");
        });

        Assert.Equal(new[] { "callback", "after sleep(0)" }, order);
    }

    [Fact]
    public void An_infinite_sleep_ends_only_by_cancellation()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            AioTask forever = Aio.CreateTask(() => Aio.Sleep(Timeout.InfiniteTimeSpan));
            await Task.Yield();
            t.Time.Advance(TimeSpan.FromDays(3650));
            await Task.Yield();
            Assert.False(forever.IsDone);
            forever.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await forever);
        });
    }

    [Fact]
    public void Sleep_with_an_already_cancelled_token_is_cancelled_at_once()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            Task sleep = Aio.Sleep(1, new CancellationToken(canceled: true));
            Assert.True(sleep.IsCanceled);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void A_cancelled_sleep_carries_the_tasks_own_token_whether_or_not_the_task_handed_it_out_before()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            CancellationToken seenInside = default;
            OperationCanceledException? caught = null;
            AioTask sleeper = Aio.CreateTask(async () =>
            {
                try
                {
                    await Aio.Sleep(3600);
                }
                catch (OperationCanceledException ex)
                {
                    caught = ex;
                    seenInside = Aio.CancellationToken;
                    throw;
                }
            });
            await Task.Yield();
            sleeper.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sleeper);

            Assert.True(sleeper.IsCancelled);
            Assert.True(seenInside.IsCancellationRequested);
            Assert.Equal(seenInside, caught!.CancellationToken);
            Assert.Equal(sleeper.CancellationToken, caught.CancellationToken);
        });
    }

    [Fact]
    public void A_task_whose_work_is_one_sleep_ends_with_it_a_turn_later_succeeded_or_cancelled_never_inside_Cancel()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            AioTask wakes = Aio.CreateTask(() => Aio.Sleep(1));
            AioTask cancelled = Aio.CreateTask(() => Aio.Sleep(3600));
            await Task.Yield();
            await Task.Yield();

            Assert.True(cancelled.Cancel());
            Assert.False(cancelled.IsDone); // the task finishes on the loop, not inside Cancel
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            Assert.True(cancelled.IsCancelled);

            t.Time.Advance(TimeSpan.FromSeconds(1));
            await wakes;
            Assert.True(wakes.IsCompletedSuccessfully);
        });

        Assert.Empty(t.Loop.AllTasks());
    }

    [Fact]
    public void Every_sleep_of_a_task_is_cancelled_with_it_one_after_another_or_several_at_once()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            Task? first = null;
            Task? second = null;
            Task? third = null;
            AioTask sleeper = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(1); // ends, and the next sleeps take its place
                first = Aio.Sleep(3600);
                second = Aio.Sleep(3600);
                third = Aio.Sleep(Timeout.InfiniteTimeSpan);
                await Task.WhenAll(first, second, third);
            });
            await Task.Yield();
            t.Time.Advance(TimeSpan.FromSeconds(1));
            while (third is null)
            {
                await Task.Yield();
            }

            sleeper.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sleeper);
            Assert.True(first!.IsCanceled);
            Assert.True(second!.IsCanceled);
            Assert.True(third.IsCanceled);
        });
    }

    [Fact]
    public void A_sleeping_task_cancelled_from_another_thread_ends_cancelled_on_the_loop()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            AioTask direct = Aio.CreateTask(() => Aio.Sleep(3600));
            AioTask awaiting = Aio.CreateTask(async () => await Aio.Sleep(3600));
            await Task.Yield();
            await Task.Yield();

            await Task.Run(() =>
            {
                direct.Cancel();
                awaiting.Cancel();
            });

            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await direct);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await awaiting);
            Assert.True(direct.IsCancelled);
            Assert.True(awaiting.IsCancelled);
        });
    }

    [Fact]
    public void A_hundred_thousand_sleepers_cancelled_at_once_all_end_cancelled()
    {
        using var t = new TestLoop();
        int cancelled = 0;
        t.Run(async () =>
        {
            var tasks = new AioTask[100_000];
            for (int i = 0; i < tasks.Length; i++)
            {
                tasks[i] = Aio.CreateTask(async () =>
                {
                    try
                    {
                        await Aio.Sleep(3600);
                    }
                    catch (OperationCanceledException)
                    {
                        cancelled++;
                        throw;
                    }
                });
            }

            await Task.Yield();
            foreach (AioTask task in tasks)
            {
                task.Cancel();
            }

            foreach (AioTask task in tasks)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await task);
            }
        });

        Assert.Equal(100_000, cancelled);
        Assert.Empty(t.Loop.AllTasks());
    }
}

public class ShutdownWaitsForTests
{
    [Fact]
    public void Outside_a_shutdown_it_behaves_like_awaiting_the_work()
    {
        using var t = new TestLoop();
        int result = t.Run(async () =>
        {
            await Aio.ShutdownWaitsFor(async ct => await Aio.Sleep(0, ct));
            return await Aio.ShutdownWaitsFor(async ct =>
            {
                await Aio.Sleep(0, ct);
                return 41;
            }) + 1;
        });

        Assert.Equal(42, result);
    }

    [Fact]
    public void The_forms_taking_a_started_task_protect_it_and_pass_its_result()
    {
        using var t = new TestLoop();
        int result = t.Run(async () =>
        {
            var source = new TaskCompletionSource<int>();
            Task<int> shielded = Aio.ShutdownWaitsFor(source.Task, "started");
            Assert.Contains(t.Loop.AllTasks(), task => task.Name == "started" && task.IsProtected);
            t.Loop.CallSoon(() => source.SetResult(5));
            await Aio.ShutdownWaitsFor((Task)Task.Delay(1));
            return await shielded;
        });

        Assert.Equal(5, result);
    }

    [Fact]
    public void When_the_caller_is_cancelled_its_await_throws_at_once_while_the_work_goes_on_and_the_shutdown_waits_for_it()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        var output = new List<string>();
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.ShutdownWaitsFor(async ct =>
                {
                    for (int i = 0; i < 10; i++)
                    {
                        output.Add(i.ToString());
                        await Aio.Sleep(1, ct);
                    }

                    output.Add("done!");
                }, "corofn");
            }
            catch (OperationCanceledException)
            {
                output.Add("oh noes!");
            }
        }, "main");
        loop.CallLater(4.5, loop.Stop);

        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(20));
        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        Assert.True(program.RunPendingTasksTillComplete());

        // aiorun's testshield.py: 0..4, the caller is cancelled at once, 5..9, done.
        Assert.Equal(new[] { "0", "1", "2", "3", "4", "oh noes!", "5", "6", "7", "8", "9", "done!" }, output);
        Assert.DoesNotContain("Cancelling task: corofn", t.Logger.Lines);
        Assert.Contains("Cancelling task: main", t.Logger.Lines);
    }

    [Fact]
    public void A_bare_call_not_awaited_still_protects_the_work()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        bool finished = false;
        loop.CreateTask(() =>
        {
            _ = Aio.ShutdownWaitsFor(async ct =>
            {
                await Aio.Sleep(2, ct);
                finished = true;
            });
            Aio.Stop();
            return Task.CompletedTask;
        });

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(3));
        Assert.True(program.RunPendingTasksTillComplete());

        Assert.True(finished);
    }

    [Fact]
    public void Cancelling_the_protected_task_itself_cancels_the_work_and_the_caller_sees_it()
    {
        using var t = new TestLoop();
        bool workSawCancellation = false;
        t.Run(async () =>
        {
            Task shielded = Aio.ShutdownWaitsFor(async ct =>
            {
                try
                {
                    await Aio.Sleep(3600, ct);
                }
                catch (OperationCanceledException)
                {
                    workSawCancellation = true;
                    throw;
                }
            }, "protected");
            await Task.Yield();
            AioTask task = Assert.Single(t.Loop.AllTasks(), x => x.IsProtected);
            task.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shielded);
        });

        Assert.True(workSawCancellation);
    }

    [Fact]
    public void Failing_work_is_seen_by_the_awaiting_caller_not_reported_as_unhandled()
    {
        using var t = new TestLoop();
        var reported = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c));

        string caught = t.Run(async () =>
        {
            try
            {
                await Aio.ShutdownWaitsFor(async ct =>
                {
                    await Aio.Sleep(0, ct);
                    throw new FormatException("work failed");
                });
                return "no error";
            }
            catch (FormatException ex)
            {
                return ex.Message;
            }
        });

        Assert.Equal("work failed", caught);
        Assert.Empty(reported);
    }

    [Fact]
    public void Failing_bare_work_whose_caller_is_gone_goes_to_the_exception_handler()
    {
        using var t = new TestLoop();
        var reported = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c));
        var fail = new TaskCompletionSource();

        t.Run(async () =>
        {
            await Aio.CreateTask(() =>
            {
                _ = Aio.ShutdownWaitsFor(async _ =>
                {
                    await fail.Task;
                    throw new FormatException("nobody awaits this");
                }, "bare");
                return Task.CompletedTask; // the caller is done before the work fails
            });
            fail.SetResult();
            while (t.Loop.AllTasks().Any(x => x.Name == "bare"))
            {
                await Task.Yield();
            }
        });

        AioExceptionContext context = Assert.Single(reported);
        Assert.Equal("bare", context.Task!.Name);
        Assert.Equal("nobody awaits this", context.Exception!.Message);
    }

    [Fact]
    public void Failing_bare_work_whose_caller_runs_on_and_never_awaits_it_is_reported_when_the_GC_finds_it()
    {
        using var t = new TestLoop();
        var reported = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c));
        bool failed = false;

        t.Run(async () =>
        {
            StartBareShield(() => failed = true);
            while (!failed || t.Loop.AllTasks().Any(x => x.Name == "bare"))
            {
                await Task.Yield();
            }

            // The caller is still running: it might await the task yet, so nothing is reported now.
            Assert.Empty(reported);
        });
        Garbage.CollectUntil(t.Loop, () => reported.Count > 0);

        AioExceptionContext context = Assert.Single(reported);
        Assert.Equal("Exception in ShutdownWaitsFor work that nobody awaited", context.Message);
        Assert.Equal("bare", context.Task!.Name);
        Assert.Equal("nobody ever awaits this", context.Exception!.Message);
    }

    [Fact]
    public void Failing_bare_work_reported_at_once_is_not_reported_again_by_the_GC()
    {
        using var t = new TestLoop();
        // Only the messages: a kept context would keep the task, and the GC could never find it.
        var reported = new List<string>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c.Message));

        t.Run(async () =>
        {
            await Aio.CreateTask(() =>
            {
                StartBareShield(static () => { });
                return Task.CompletedTask; // this caller is done before its work fails
            });
            while (t.Loop.AllTasks().Any(x => x.Name == "bare"))
            {
                await Task.Yield();
            }
        });
        Assert.Equal("Unhandled exception in a task nobody awaits", Assert.Single(reported));

        // Garbage found together with the shield's task: once the marker is reported, so would a second report be.
        ExecutorTests.SubmitAndForget(t.Loop, () => throw new FormatException("a marker that the GC ran"));
        Garbage.CollectUntil(t.Loop, () => reported.Count > 1);

        Assert.Equal(
            new[] { "Unhandled exception in a task nobody awaits", "Exception in executor work that nobody awaited" },
            reported.ToArray());
    }

    /// <summary>A bare <c>ShutdownWaitsFor</c> whose work fails a turn later, started in a frame of its own so that no local keeps its task.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void StartBareShield(Action beforeFailing) =>
        _ = Aio.ShutdownWaitsFor(async _ =>
        {
            await Task.Yield();
            beforeFailing();
            throw new FormatException("nobody ever awaits this");
        }, "bare");
}
