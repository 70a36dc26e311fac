using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>aiorun's shutdown phases (the shutdown callback, cancel the pending tasks, run them till complete, wait for the executor, close the loop), in process, on virtual time. (They write the final error report to AioLogging.Output, hence one collection.)</summary>
[Collection(nameof(AioLogging))]
public class ShutdownPhaseTests
{
    // For the tests that compare whole transcripts: the loop-lag watchdog (on in a program by default) reads the wall
    // clock, and a stall of the test machine must not add its lines to a transcript on virtual time.
    private static readonly AioRunOptions NoWatchdog = new() { LoopLagWarning = TimeSpan.Zero };

    private static string[] PhaseLines(string cancelling) => new[]
    {
        "Entering shutdown phase.",
        cancelling,
        "Running pending tasks till complete",
        "Waiting for executor shutdown.",
        "Leaving. Bye!",
    };

    [Fact]
    public void The_phases_log_aioruns_lines_in_order_and_cancel_every_unprotected_task()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        var seen = new List<string>();
        AioTask main = loop.CreateTask(async () =>
        {
            _ = Aio.CreateTask(() => WaitForCancellation("worker", seen), "worker");
            _ = Aio.ShutdownWaitsFor(async ct =>
            {
                await Aio.Sleep(1, ct);
                seen.Add("protected finished");
            }, "protected");
            await Aio.Sleep(0);
            Aio.Stop();
            await WaitForCancellation("main", seen);
        }, "main");

        loop.RunForever();
        RunShutdown(program, t, TimeSpan.FromSeconds(2), "Cancelling pending tasks. (2 tasks)");

        Assert.Equal(
            new[] { "Entering shutdown phase.", "Cancelling pending tasks. (2 tasks)", "Cancelling task: main", "Cancelling task: worker", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!" },
            t.Logger.Lines);
        Assert.Equal(new[] { "main saw cancellation", "worker saw cancellation", "protected finished" }, seen);
        Assert.True(main.IsCancelled);
        Assert.True(loop.IsClosed);
        Assert.Equal(0, program.ExitCode(main));
    }

    [Fact]
    public void The_cancel_phase_gives_the_count_on_its_line_at_Information_and_each_task_at_Debug()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        loop.CreateTask(() => Aio.Sleep(3600), "first");
        loop.CreateTask(() => Aio.ShutdownWaitsFor(ct => Aio.Sleep(0.5, ct), "protected"), "second");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();

        // The protected work is not counted: it is not cancelled.
        Assert.Contains((LogLevel.Information, "Cancelling pending tasks. (2 tasks)"), t.Logger.Entries.Select(e => (e.Level, e.Message)));
        Assert.Equal(
            new[] { "Cancelling task: first", "Cancelling task: second" },
            t.Logger.Entries.Where(e => e.Message.StartsWith("Cancelling task: ", StringComparison.Ordinal)).Select(e => e.Message).Order(StringComparer.Ordinal));
        Assert.All(t.Logger.Entries.Where(e => e.Message.StartsWith("Cancelling task: ", StringComparison.Ordinal)), e => Assert.Equal(LogLevel.Debug, e.Level));
    }

    [Fact]
    public void The_cancel_phase_says_1_task_and_0_tasks()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        loop.CreateTask(() => Aio.Sleep(3600), "only");
        loop.CallSoon(loop.Stop);

        using var empty = new TestLoop();
        using var emptyProgram = new AioProgram();
        emptyProgram.UseLoop(empty.Loop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        emptyProgram.EnterShutdownPhase();
        emptyProgram.CancelPendingTasks();

        Assert.Contains("Cancelling pending tasks. (1 task)", t.Logger.Lines);
        Assert.Contains("Cancelling pending tasks. (0 tasks)", empty.Logger.Lines);
    }

    [Fact]
    public void A_task_that_refuses_to_exit_is_named_with_its_creation_site_after_the_default_60_s_of_virtual_time()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        var never = new TaskCompletionSource();
        AioTask stubborn = loop.CreateTask(async () => await never.Task, "stubborn");
        AioTask shielded = loop.CreateTask(() => Aio.ShutdownWaitsFor(_ => never.Task, "stubborn-protected"), "caller");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        t.AdvanceEachTurn(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));
        bool allExited = program.RunPendingTasksTillComplete();

        Assert.False(allExited);
        Assert.InRange((t.Time.GetUtcNow() - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds, 60, 62);
        var warnings = t.Logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).OrderBy(m => m, StringComparer.Ordinal).ToArray();
        Assert.True(warnings.Length == 2, string.Join(Environment.NewLine, warnings));
        // The details are the task report's: state, age (on the loop's clock), protection, creation site.
        Assert.Matches(
            $@"^Task refused to exit within the shutdown timeout of 60 s: 'stubborn' \(cancel requested, age 6\d\.0 s\) created at {Regex.Escape(stubborn.CreationSite)}$",
            warnings[0]);
        Assert.Matches(
            $@"^Task refused to exit within the shutdown timeout of 60 s: 'stubborn-protected' \(waiting, age 6\d\.0 s, protected\) created at .*ShutdownPhaseTests\.cs:{stubborn.CreationLine + 1}$",
            warnings[1]);
        Assert.True(shielded.IsCancelled);
    }

    [Fact]
    public void The_refused_to_exit_warning_says_what_the_task_waits_on_where_AioRun_knows_it()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(new AioRunOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) });
        AioLoop loop = program.UseLoop(t.Loop);
        AioTask sleeper = loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                // Cleans up for longer than the shutdown allows.
                await Aio.Sleep(60, CancellationToken.None);
            }
        }, "slow-cleanup");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        t.AdvanceEachTurn(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));
        Assert.False(program.RunPendingTasksTillComplete());

        string warning = Assert.Single(t.Logger.Entries, e => e.Level == LogLevel.Warning).Message;
        Assert.Matches(
            $@"^Task refused to exit within the shutdown timeout of 5 s: 'slow-cleanup' \(cancel requested, age \d\.0 s\) created at {Regex.Escape(sleeper.CreationSite)}; waiting on Aio\.Sleep, due in 5\d\.0 s$",
            warning);
    }

    [Fact]
    public void Tasks_created_after_the_cancel_phase_start_cancelled_unless_protected()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        var log = new List<string>();
        AioTask? late = null;
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                late = Aio.CreateTask(() =>
                {
                    log.Add("late task ran");
                    return Task.CompletedTask;
                }, "late");
                await Aio.ShutdownWaitsFor(async ct =>
                {
                    await Aio.Sleep(0, ct);
                    log.Add("late protected work ran");
                }, "late-protected");
            }
        }, "main");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        RunShutdown(program, t, TimeSpan.FromSeconds(1), "Cancelling pending tasks. (1 task)");

        Assert.Equal(new[] { "late protected work ran" }, log);
        Assert.True(late!.IsCancelled);
        Assert.Contains("Cancelling task: late", t.Logger.Lines);
    }

    [Fact]
    public void What_the_cancel_phase_posts_from_its_own_thread_and_from_another_runs_in_the_next_phase()
    {
        // The cancel phase's own posts skip the thread-safe queue (the loop is not running, and that thread owns it);
        // a post from another thread meanwhile must still arrive, and the same thread's posts after the phase too.
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        AioTask main = loop.CreateTask(async () =>
        {
            Aio.CancellationToken.Register(() =>
            {
                loop.Post(_ => seen.Enqueue("posted by the cancel phase's thread"), null);
                var other = new Thread(() => loop.Post(_ => seen.Enqueue("posted by another thread"), null));
                other.Start();
                other.Join();
            });
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                seen.Enqueue("main resumed, cancelled");
                throw;
            }
        }, "main");
        loop.CallSoon(loop.Stop);
        loop.RunForever();

        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        Assert.Empty(seen); // nothing ran during the cancel phase itself
        loop.Post(_ => seen.Enqueue("posted between the phases"), null);
        Assert.True(program.RunPendingTasksTillComplete());

        Assert.Equal(
            new[] { "main resumed, cancelled", "posted between the phases", "posted by another thread", "posted by the cancel phase's thread" },
            seen.Order(StringComparer.Ordinal));
        Assert.True(main.IsCancelled);
        program.WaitForExecutorShutdown();
        program.Close();
    }

    [Fact]
    public void Stop_requests_during_the_shutdown_do_not_cut_it_short()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        bool slowFinished = false;
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                Aio.Stop();
            }
        }, "stopper");
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                await Aio.Sleep(2, CancellationToken.None);
                slowFinished = true;
            }
        }, "slow");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        RunShutdown(program, t, TimeSpan.FromSeconds(3), "Cancelling pending tasks. (2 tasks)");

        Assert.True(slowFinished);
    }

    [Fact]
    public void The_shutdown_callback_runs_after_the_loop_stopped_and_before_tasks_are_cancelled()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        AioTask worker = loop.CreateTask(() => Aio.Sleep(3600), "worker");
        loop.CallSoon(loop.Stop);
        var events = new List<string>();
        t.Logger.Logged += line => events.Add(line);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownCallback(l =>
        {
            events.Add($"sync callback, loop given: {ReferenceEquals(l, loop)}, worker cancelled: {worker.IsCancellationRequested}");
        });
        program.RunShutdownCallback(async l =>
        {
            await Aio.Sleep(0);
            events.Add("async callback ran on the loop: " + ReferenceEquals(AioLoop.Current, l));
        });
        RunRemainingPhases(program);

        Assert.Equal(
            new[]
            {
                "Entering shutdown phase.",
                "sync callback, loop given: True, worker cancelled: False",
                "async callback ran on the loop: True",
                "Cancelling pending tasks. (1 task)",
                "Cancelling task: worker",
            },
            events.Take(5));
        Assert.Equal(0, program.ExitCode());
    }

    [Fact]
    public void A_failing_shutdown_callback_makes_the_exit_code_1_after_the_whole_shutdown()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownCallback(_ => throw new FormatException("callback failed"));
        RunRemainingPhases(program);

        string report = CaptureFatalReport(() => Assert.Equal(1, program.ExitCode()));
        Assert.StartsWith("Unhandled exception. System.FormatException: callback failed", report, StringComparison.Ordinal);
        Assert.Equal("Leaving. Bye!", t.Logger.Lines[^1]);
    }

    [Fact]
    public void A_failing_shutdown_callback_is_only_logged_when_an_unhandled_error_already_stopped_the_loop()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(new AioRunOptions { StopOnUnhandledErrors = true, LoopLagWarning = TimeSpan.Zero });
        AioLoop loop = program.UseLoop(t.Loop);
        AioTask main = loop.CreateTask(() => throw new InvalidOperationException("ouch"), "main");

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownCallback(_ => throw new FormatException("callback failed"));
        RunRemainingPhases(program);

        string report = CaptureFatalReport(() => Assert.Equal(1, program.ExitCode(main)));
        Assert.StartsWith("Unhandled exception. System.InvalidOperationException: ouch", report, StringComparison.Ordinal);
        Assert.Contains(t.Logger.Entries, e => e.Level == LogLevel.Error && e.Exception is FormatException
            && e.Message.StartsWith("The shutdown callback raised an error, but an unhandled error already stopped the loop", StringComparison.Ordinal));
        Assert.Equal("Unhandled exception; stopping loop.", t.Logger.Lines[0]);
    }

    [Fact]
    public void Shutdown_participants_run_after_the_shutdown_callback_as_protected_tasks_in_the_order_added()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        AioTask worker = loop.CreateTask(() => Aio.Sleep(3600), "worker");
        var events = new List<string>();
        t.Logger.Logged += line => events.Add(line);
        loop.AddShutdownParticipant(async ct =>
        {
            // Added while phase 3 runs: it runs in the same phase, after this one.
            AioLoop.Current.AddShutdownParticipant(_ =>
            {
                events.Add("late participant");
                return Task.CompletedTask;
            }, "late");
            await Aio.Sleep(1, ct);
            events.Add($"first participant: task '{Aio.CurrentTask!.Name}', protected {Aio.CurrentTask.IsProtected}, worker cancelled {worker.IsCancellationRequested}");
        }, "first");
        loop.AddShutdownParticipant(_ =>
        {
            events.Add("second participant");
            return Task.CompletedTask;
        });
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownCallback(_ => events.Add("shutdown callback"));
        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        program.RunShutdownParticipants();
        RunRemainingPhases(program);

        Assert.Equal(
            new[]
            {
                "Entering shutdown phase.",
                "shutdown callback",
                "first participant: task 'first', protected True, worker cancelled False",
                "second participant",
                "late participant",
                "Cancelling pending tasks. (1 task)",
            },
            events.Take(6));
        Assert.Equal(0, program.ExitCode());
        Assert.Throws<InvalidOperationException>(() => loop.AddShutdownParticipant(_ => Task.CompletedTask));
    }

    [Fact]
    public void A_failing_shutdown_participant_makes_the_exit_code_1_and_the_next_one_still_runs()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        bool nextRan = false;
        loop.AddShutdownParticipant(_ => throw new FormatException("participant failed"), "failing");
        loop.AddShutdownParticipant(_ =>
        {
            nextRan = true;
            return Task.CompletedTask;
        });
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownParticipants();
        RunRemainingPhases(program);

        string report = CaptureFatalReport(() => Assert.Equal(1, program.ExitCode()));
        Assert.StartsWith("Unhandled exception. System.FormatException: participant failed", report, StringComparison.Ordinal);
        Assert.True(nextRan);
        Assert.Equal("Leaving. Bye!", t.Logger.Lines[^1]);
    }

    [Fact]
    public void Close_raises_Closing_before_Leaving_Bye_and_Closed_after_it_once_each()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(NoWatchdog);
        AioLoop loop = program.UseLoop(t.Loop);
        var events = new List<string>();
        t.Logger.Logged += line => events.Add(line);
        loop.Closing += (sender, _) => events.Add($"Closing (closed: {((AioLoop)sender!).IsClosed})");
        loop.Closing += (_, _) => throw new FormatException("a Closing handler failed");
        loop.Closed += (sender, _) => events.Add($"Closed (closed: {((AioLoop)sender!).IsClosed})");
        loop.CallSoon(loop.Stop);

        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownParticipants();
        RunRemainingPhases(program);
        loop.Close();

        Assert.Equal(
            new[]
            {
                "Waiting for executor shutdown.",
                "Closing (closed: False)",
                "A handler of AioLoop.Closing threw",
                "Leaving. Bye!",
                "Closed (closed: True)",
            },
            events.Skip(events.IndexOf("Waiting for executor shutdown.")));
        Assert.Contains(t.Logger.Entries, e => e.Exception is FormatException);
    }

    [Fact]
    public void The_exit_code_is_the_int_main_returned_or_0()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        AioTask<int> main = loop.CreateTask(async () =>
        {
            await Aio.Sleep(0);
            Aio.Stop();
            return 42;
        }, "main");

        loop.RunForever();
        program.EnterShutdownPhase();
        RunRemainingPhases(program);

        Assert.Equal(42, program.ExitCode(main));
        Assert.Equal(0, program.ExitCode());
    }

    [Fact]
    public void UseLoop_applies_the_options_and_refuses_a_second_loop()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(new AioRunOptions { ExecutorWorkers = 3, StopOnUnhandledErrors = true });
        program.UseLoop(t.Loop);

        Assert.Equal(3, t.Loop.ExecutorWorkers);
        Assert.True(t.Loop.StopOnUnhandledErrors);
        var error = Assert.Throws<InvalidOperationException>(() => program.UseLoop(new AioLoop()));
        Assert.Contains("already called", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseLoop_refuses_StopOnUnhandledErrors_on_a_loop_with_a_custom_handler()
    {
        using var t = new TestLoop();
        t.Loop.SetExceptionHandler((_, _) => { });
        using var program = new AioProgram(new AioRunOptions { StopOnUnhandledErrors = true });

        var error = Assert.Throws<InvalidOperationException>(() => program.UseLoop(t.Loop));
        Assert.Equal(AioLoop.StopOnUnhandledErrorsRefusal, error.Message);
    }

    [Fact]
    public void Before_the_loop_runs_Aio_works_on_the_thread_that_owns_the_programs_loop_and_nowhere_else()
    {
        // A void [AioRunEntry] sets up its tasks this way, in RunBeforeLoop before RunForever.
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);

        AioTask setUp = null!; // set by the entry
        Exception? elsewhere = null;
        program.RunBeforeLoop(_ =>
        {
            setUp = Aio.CreateTask(() => Task.CompletedTask, "set-up-before-the-loop-runs");
            var other = new Thread(() => elsewhere = Record.Exception(() => Aio.Loop));
            other.Start();
            other.Join();
        });
        loop.RunUntilComplete(setUp);

        Assert.Same(loop, setUp.Loop);
        Assert.IsType<InvalidOperationException>(elsewhere);
        program.Dispose();
        Assert.Throws<InvalidOperationException>(() => Aio.Loop);
    }

    [Fact]
    public void RunBeforeLoop_runs_the_entry_as_code_on_the_loop_and_what_it_schedules_runs_once_the_loop_runs()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        SynchronizationContext? before = SynchronizationContext.Current;
        var events = new List<string>();
        AioTask? created = null;

        program.RunBeforeLoop(l =>
        {
            events.Add($"entry: given the loop {ReferenceEquals(l, loop)}, current {ReferenceEquals(AioLoop.Current, loop)}, context {ReferenceEquals(SynchronizationContext.Current, loop)}");
            created = Aio.CreateTask(async () =>
            {
                events.Add("task ran");
                await Aio.Sleep(0);
                Aio.Stop();
            }, "set-up");
            l.CallSoon(() => events.Add("callback ran"));
            events.Add("entry returned");
        });
        events.Add($"after: current {AioLoop.TryGetCurrent(out _)}, running {loop.IsRunning}, context restored {ReferenceEquals(SynchronizationContext.Current, before)}");
        loop.RunForever();

        Assert.Equal(
            new[]
            {
                "entry: given the loop True, current True, context True",
                "entry returned",
                "after: current False, running False, context restored True",
                "task ran",
                "callback ran",
            },
            events);
        Assert.NotNull(created);
        Assert.Same(loop, created.Loop);
        Assert.True(created.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_Stop_in_RunBeforeLoop_makes_the_loop_run_one_turn_and_return()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        var turns = new List<string>();

        program.RunBeforeLoop(l =>
        {
            l.CallSoon(() =>
            {
                turns.Add("first turn");
                // Stops too, so that a lost stop fails the test instead of hanging it.
                l.CallSoon(() =>
                {
                    turns.Add("second turn");
                    l.Stop();
                });
            });
            Aio.Stop();
        });
        loop.RunForever();

        Assert.Equal(new[] { "first turn" }, turns);
    }

    [Fact]
    public void An_exception_in_RunBeforeLoop_propagates_and_leaves_the_loop_as_it_was()
    {
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        SynchronizationContext? before = SynchronizationContext.Current;

        var error = Assert.Throws<FormatException>(() => program.RunBeforeLoop(_ => throw new FormatException("the entry failed")));

        Assert.Equal("the entry failed", error.Message);
        Assert.False(AioLoop.TryGetCurrent(out _));
        Assert.False(loop.IsRunning);
        Assert.Same(before, SynchronizationContext.Current);
    }

    [Fact]
    public void RunBeforeLoop_before_UseLoop_is_refused()
    {
        using var program = new AioProgram();

        var error = Assert.Throws<InvalidOperationException>(() => program.RunBeforeLoop(_ => { }));
        Assert.Contains("UseLoop", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisterSignalHandlers_a_second_time_is_refused()
    {
        using var program = new AioProgram();
        program.RegisterSignalHandlers();

        var error = Assert.Throws<InvalidOperationException>(program.RegisterSignalHandlers);
        Assert.Contains("already called", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_shutdown_handler_logs_Stopping_the_loop_and_stops_it()
    {
        using var t = new TestLoop();
        t.Loop.CallSoon(() => AioProgram.DefaultShutdownHandler(t.Loop));

        t.Loop.RunForever();

        Assert.Equal(new[] { "Stopping the loop" }, t.Logger.Lines);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void The_default_logger_writes_the_lifecycle_lines_a_structured_logger_formats(int tasks)
    {
        // The default logger gets the lifecycle lines without the structured messages; the text must be the same.
        string RunPhases(ILogger? logger)
        {
            TextWriter original = AioLogging.Output;
            var captured = new StringWriter();
            AioLogging.Output = captured;
            try
            {
                using var t = new TestLoop();
                t.Loop.Logger = logger ?? AioLogging.DefaultLogger;

                using var program = new AioProgram(NoWatchdog);
                AioLoop loop = program.UseLoop(t.Loop);
                for (int i = 0; i < tasks; i++)
                {
                    loop.CreateTask(() => Aio.Sleep(3600));
                }

                loop.CallSoon(() => AioProgram.DefaultShutdownHandler(loop));
                loop.RunForever();
                program.EnterShutdownPhase();
                program.CancelPendingTasks();
                program.RunPendingTasksTillComplete();
                program.WaitForExecutorShutdown();
                program.Close();
            }
            finally
            {
                AioLogging.Output = original;
            }

            return captured.ToString();
        }

        var structured = new CapturingLogger();
        RunPhases(structured);
        string plain = RunPhases(null);

        string[] expected = structured.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.Message).ToArray();
        Assert.Equal(
            new[] { "Stopping the loop", "Entering shutdown phase.", $"Cancelling pending tasks. ({tasks} {(tasks == 1 ? "task" : "tasks")})", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!" },
            expected);
        Assert.Equal(expected, plain.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task WaitForCancellation(string name, List<string> seen)
    {
        try
        {
            await Aio.Sleep(3600);
        }
        catch (OperationCanceledException)
        {
            seen.Add(name + " saw cancellation");
            throw;
        }
    }

    /// <summary>Phases 3 to 7, with virtual time moving <paramref name="virtualTime"/> during phase 5; <paramref name="cancelling"/> is phase 4's line.</summary>
    private static void RunShutdown(AioProgram program, TestLoop t, TimeSpan virtualTime, string cancelling)
    {
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        t.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), virtualTime);
        Assert.True(program.RunPendingTasksTillComplete());
        program.WaitForExecutorShutdown();
        program.Close();
        string[] phaseLines = PhaseLines(cancelling);
        Assert.Equal(phaseLines, t.Logger.Lines.Where(phaseLines.Contains));
    }

    private static void RunRemainingPhases(AioProgram program)
    {
        program.CancelPendingTasks();
        program.RunPendingTasksTillComplete();
        program.WaitForExecutorShutdown();
        program.Close();
    }

    private static string CaptureFatalReport(Action action)
    {
        TextWriter original = AioLogging.Output;
        var captured = new StringWriter();
        AioLogging.Output = captured;
        try
        {
            action();
        }
        finally
        {
            AioLogging.Output = original;
        }

        return captured.ToString();
    }
}
