using System.Text.RegularExpressions;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>
/// The task report (<see cref="AioLoop.WriteTaskReport"/>) on virtual time: its lines, the states, what tasks wait on,
/// executor work in flight, and reports written from another thread while the loop runs.
/// </summary>
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

    private static string[] Lines(string text) => text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
