using System.IO.Pipes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>
/// The task report (<see cref="AioLoop.WriteTaskReport"/>) on virtual time: its lines, the states, what tasks wait on,
/// executor work in flight; the report asked for by SIGUSR1, written by the loop or, when it cannot, by another thread;
/// and a standard error that cannot be written. (Some write to AioLogging.Output, hence the collection.)
/// </summary>
[Collection(nameof(AioLogging))]
public class TaskReportTests
{
    [Fact]
    public void The_report_gives_each_live_task_its_state_age_creation_site_and_what_it_waits_on_then_the_executor_work()
    {
        using var t = new TestLoop();
        AioLoop loop = t.Loop;
        var never = new TaskCompletionSource();
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        AioTask sleeper = loop.CreateTask(() => Aio.Sleep(10), "sleeper");
        AioTask caller = loop.CreateTask(() => Aio.ShutdownWaitsFor(ct => Aio.Sleep(3600, ct), "protected"), "shield-caller");
        AioTask executorCaller = loop.CreateTask(() => Aio.RunInExecutor(() => { started.Set(); release.Wait(); }), "executor-caller");
        AioTask stubborn = loop.CreateTask(() => never.Task, "stubborn");
        AioTask? notStarted = null;

        string report = t.Run(async () =>
        {
            await Task.Run(() => started.Wait(TimeSpan.FromSeconds(30)));
            t.Time.Advance(TimeSpan.FromSeconds(2.5));
            stubborn.Cancel();
            notStarted = Aio.CreateTask(() => Task.CompletedTask, "not-started");
            var writer = new StringWriter();
            Aio.Loop.WriteTaskReport(writer);
            return writer.ToString();
        });
        release.Set();

        // The task that wrote the report is the one t.Run created.
        string testSite = Regex.Match(report, @"  task 'test' \(running, age 2\.5 s\) created at (\S+)").Groups[1].Value;
        Assert.EndsWith("TestSupport.cs", testSite.Split(':')[0], StringComparison.Ordinal);
        Assert.Equal(
            new[]
            {
                "Task report: 7 tracked tasks, 1 executor work item",
                $"  task 'sleeper' (waiting, age 2.5 s) created at {sleeper.CreationSite}; waiting on Aio.Sleep, due in 7.5 s",
                $"  task 'shield-caller' (waiting, age 2.5 s) created at {caller.CreationSite}; waiting on protected work 'protected'",
                $"  task 'executor-caller' (waiting, age 2.5 s) created at {executorCaller.CreationSite}; waiting on executor work (running, age 2.5 s)",
                $"  task 'stubborn' (cancel requested, age 2.5 s) created at {stubborn.CreationSite}",
                $"  task 'test' (running, age 2.5 s) created at {testSite}",
                // Created by the shield-caller's call, on the same line.
                $"  task 'protected' (waiting, age 2.5 s, protected) created at {caller.CreationSite}; waiting on Aio.Sleep, due in 3597.5 s",
                $"  task 'not-started' (pending, age 0.0 s) created at {notStarted!.CreationSite}",
                "  executor work (running, age 2.5 s) submitted by task 'executor-caller'",
            },
            Lines(report));
    }

    [Fact]
    public void A_task_stops_waiting_on_what_completed_and_an_infinite_or_overdue_sleep_says_so()
    {
        using var t = new TestLoop();
        AioLoop loop = t.Loop;
        var gate = new TaskCompletionSource();
        AioTask slept = loop.CreateTask(async () =>
        {
            await Aio.Sleep(0);
            await gate.Task; // not AioRun's: the report does not know it
        }, "slept-then-waits");
        AioTask forever = loop.CreateTask(() => Aio.Sleep(double.PositiveInfinity), "forever");

        string report = t.Run(async () =>
        {
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            var writer = new StringWriter();
            loop.WriteTaskReport(writer);
            return writer.ToString();
        });
        gate.SetResult();

        Assert.Contains($"  task 'slept-then-waits' (waiting, age 0.0 s) created at {slept.CreationSite}", Lines(report));
        Assert.Contains($"  task 'forever' (waiting, age 0.0 s) created at {forever.CreationSite}; waiting on Aio.Sleep, with no due time", Lines(report));
    }

    [Fact]
    public void A_report_written_while_a_callback_holds_the_loop_shows_a_due_sleep_as_overdue()
    {
        using var t = new TestLoop();
        AioLoop loop = t.Loop;
        AioTask sleeper = loop.CreateTask(() => Aio.Sleep(1), "sleeper");
        string? report = null;
        loop.CallSoon(() => loop.CallSoon(() =>
        {
            // The timer is due, but this callback holds the loop: the sleep is late.
            t.Time.Advance(TimeSpan.FromSeconds(3));
            var writer = new StringWriter();
            loop.WriteTaskReport(writer);
            report = writer.ToString();
            sleeper.Cancel();
            loop.Stop();
        }));

        loop.RunForever();

        Assert.Contains($"  task 'sleeper' (waiting, age 3.0 s) created at {sleeper.CreationSite}; waiting on Aio.Sleep, overdue by 2.0 s", Lines(report!));
    }

    [Fact]
    public void The_shutdown_callbacks_task_is_reported_as_made_by_AioRuns_shutdown()
    {
        using var t = new TestLoop();
        using var program = new AioProgram(new AioRunOptions { LoopLagWarning = TimeSpan.Zero });
        AioLoop loop = program.UseLoop(t.Loop);
        loop.CallSoon(loop.Stop);
        loop.RunForever();
        program.EnterShutdownPhase();

        string report = string.Empty;
        program.RunShutdownCallback(l =>
        {
            var writer = new StringWriter();
            l.WriteTaskReport(writer);
            report = writer.ToString();
        });

        Assert.Equal(
            new[] { "Task report: 1 tracked task, 0 executor work items", "  task 'shutdown_callback' (running, age 0.0 s, protected) created at AioRun's shutdown (phase 3)" },
            Lines(report));
    }

    [Fact]
    public void With_nothing_tracked_the_report_is_its_header()
    {
        using var t = new TestLoop();
        var writer = new StringWriter();

        t.Loop.WriteTaskReport(writer);

        Assert.Equal(new[] { "Task report: 0 tracked tasks, 0 executor work items" }, Lines(writer.ToString()));
    }

    [Fact]
    public async Task The_report_counts_queued_executor_work_under_ExecutorWorkers()
    {
        using var t = new TestLoop();
        t.Loop.ExecutorWorkers = 1;
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task first = t.Loop.RunInExecutor(() => { started.Set(); release.Wait(); });
        Task second = t.Loop.RunInExecutor(() => { });
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        t.Time.Advance(TimeSpan.FromSeconds(1));
        var writer = new StringWriter();

        t.Loop.WriteTaskReport(writer);
        release.Set();

        Assert.Equal(
            new[] { "Task report: 0 tracked tasks, 2 executor work items", "  executor work (running, age 1.0 s)", "  executor work (queued, age 1.0 s)" },
            Lines(writer.ToString()));
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Reports_written_from_another_thread_while_the_loop_creates_and_ends_tasks_never_throw_and_add_up()
    {
        using var t = new TestLoop();
        var reports = new List<string>();
        Exception? failure = null;
        bool done = false;
        var reporter = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 200; i++)
                {
                    var writer = new StringWriter();
                    t.Loop.WriteTaskReport(writer);
                    reports.Add(writer.ToString());
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                Volatile.Write(ref done, true);
            }
        });

        t.Run(async () =>
        {
            reporter.Start();
            while (!Volatile.Read(ref done))
            {
                for (int i = 0; i < 50; i++)
                {
                    _ = Aio.CreateTask(() => Aio.Sleep(0));
                }

                _ = Aio.RunInExecutor(() => { });
                await Aio.Sleep(0);
            }
        });
        reporter.Join();

        Assert.Null(failure);
        Assert.Equal(200, reports.Count);
        foreach (string report in reports)
        {
            string[] lines = Lines(report);
            Match header = Regex.Match(lines[0], @"^Task report: (\d+) tracked tasks?, (\d+) executor work items?$");
            Assert.True(header.Success, lines[0]);
            Assert.Equal(int.Parse(header.Groups[1].Value), lines.Count(l => l.StartsWith("  task '", StringComparison.Ordinal)));
            Assert.Equal(int.Parse(header.Groups[2].Value), lines.Count(l => l.StartsWith("  executor work (", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void A_report_asked_of_a_loop_that_does_not_run_is_written_at_once_by_the_asking_thread()
    {
        using var t = new TestLoop();
        t.Loop.CreateTask(() => Task.CompletedTask, "not-started");
        var output = new ThreadRecordingWriter();

        WithOutput(output, t.Loop.WriteTaskReportOnRequest);

        Assert.Equal("Task report: 1 tracked task, 0 executor work items", output.Lines[0]);
        Assert.Equal(new[] { Environment.CurrentManagedThreadId }, output.Threads.Distinct());
    }

    [Fact]
    public void A_report_asked_of_a_running_loop_is_written_by_the_loop_thread_and_the_loop_runs_on()
    {
        using var t = new TestLoop();
        var output = new ThreadRecordingWriter();
        int loopThread = Environment.CurrentManagedThreadId;
        bool ranAfterTheReport = false;

        WithOutput(output, () => t.Run(async () =>
        {
            var asker = new Thread(t.Loop.WriteTaskReportOnRequest);
            asker.Start();
            while (output.Lines.Count == 0)
            {
                await Aio.Sleep(0);
            }

            asker.Join();
            await Aio.Sleep(0);
            ranAfterTheReport = true;
        }));

        Assert.Equal("Task report: 1 tracked task, 0 executor work items", output.Lines[0]);
        Assert.Equal(new[] { loopThread }, output.Threads.Distinct());
        Assert.True(ranAfterTheReport);
    }

    [Fact]
    public void A_report_asked_of_a_loop_that_a_callback_blocks_is_written_by_another_thread_after_a_second()
    {
        using var t = new TestLoop();
        var output = new ThreadRecordingWriter();
        using var written = new ManualResetEventSlim();
        output.LineWritten += written.Set;
        int loopThread = Environment.CurrentManagedThreadId;

        WithOutput(output, () => t.Run(() =>
        {
            // A blocking callback, the case the report is most needed in; bounded, so that a failure cannot hang the tests.
            new Thread(t.Loop.WriteTaskReportOnRequest).Start();
            Assert.True(written.Wait(TimeSpan.FromSeconds(60)), "The report was not written while the loop was blocked.");
            return Task.CompletedTask;
        }));

        Assert.Equal("Task report: 1 tracked task, 0 executor work items", output.Lines[0]);
        Assert.DoesNotContain(loopThread, output.Threads);
        Assert.Contains(t.Logger.Entries, e => e.Level == LogLevel.Warning
            && e.Message == "The loop did not take the task report within 1000 ms (is a callback blocking it?); written from another thread.");
        // The loop took the request later, and did not write it a second time.
        Assert.Single(output.Lines, l => l.StartsWith("Task report: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_report_to_a_closed_pipe_is_dropped_and_the_loop_and_its_logging_go_on()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle).Dispose();
        pipe.DisposeLocalCopyOfClientHandle();
        // Not disposed: disposing flushes, which fails too.
        var closed = new StreamWriter(pipe) { AutoFlush = true };
        Assert.ThrowsAny<IOException>(() => closed.WriteLine("the reader is gone"));
        using var t = new TestLoop();
        t.Loop.Logger = AioLogging.DefaultLogger; // the default logger writes to AioLogging.Output too
        bool ranAfterTheReports = false;

        WithOutput(closed, () =>
        {
            // Written by this thread (the loop does not run), then by the loop thread.
            t.Loop.WriteTaskReportOnRequest();
            t.Run(async () =>
            {
                var asker = new Thread(t.Loop.WriteTaskReportOnRequest);
                asker.Start();
                asker.Join();
                t.Loop.Logger.LogWarning("a line for the closed pipe");
                await Aio.Sleep(0); // the next turn runs the posted request first
                ranAfterTheReports = true;
            });
            Assert.Equal(1, AioProgram.ReportFatal(new InvalidOperationException("reported nowhere")));
        });

        Assert.True(ranAfterTheReports);
    }

    private static string[] Lines(string text) => text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static void WithOutput(TextWriter output, Action action)
    {
        TextWriter original = AioLogging.Output;
        AioLogging.Output = output;
        try
        {
            action();
        }
        finally
        {
            AioLogging.Output = original;
        }
    }

    /// <summary>Keeps the lines written to it and the thread that wrote each.</summary>
    private sealed class ThreadRecordingWriter : TextWriter
    {
        private readonly List<string> _lines = new();
        private readonly List<int> _threads = new();
        private readonly System.Text.StringBuilder _line = new();

        public event Action? LineWritten;

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public IReadOnlyList<string> Lines { get { lock (_lines) { return _lines.ToArray(); } } }

        public IReadOnlyList<int> Threads { get { lock (_lines) { return _threads.ToArray(); } } }

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value == '\n')
                {
                    _lines.Add(_line.ToString().TrimEnd('\r'));
                    _threads.Add(Environment.CurrentManagedThreadId);
                    _line.Clear();
                }
                else
                {
                    _line.Append(value);
                }
            }

            if (value == '\n')
            {
                LineWritten?.Invoke();
            }
        }
    }
}
