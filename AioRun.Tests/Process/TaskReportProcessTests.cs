using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// The task report on SIGUSR1 and EscalateOnSecondSignal, on a real process (AioRun.TestHost) with real signals: the
/// report's lines name tasks created at known lines of the host, and a second signal exits with 128 + the signal
/// against a task that ignores its cancellation and against a hung executor job.
/// </summary>
public class TaskReportProcessTests
{
    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "AioRun.TestHost.dll");

    public static TheoryData<string, PosixSignal, PosixSignal, int> Escalations => new()
    {
        { "escalate-stubborn-task", PosixSignal.SIGTERM, PosixSignal.SIGINT, 130 },
        { "escalate-stubborn-task", PosixSignal.SIGINT, PosixSignal.SIGTERM, 143 },
        { "escalate-hung-executor", PosixSignal.SIGTERM, PosixSignal.SIGINT, 130 },
        { "escalate-hung-executor", PosixSignal.SIGINT, PosixSignal.SIGTERM, 143 },
    };

    [UnixFact]
    public void SIGUSR1_writes_the_task_report_to_stderr_and_the_program_runs_on_until_SIGTERM()
    {
        int sleeperLine = HostLine("// report-test: the sleeper's creation site");
        using var child = ChildProcess.StartDotnet(HostDll, "report");
        child.WaitForLine("READY");

        child.SignalReport();
        IReadOnlyList<string> report = WaitForReport(child, 1);

        Assert.Equal("Task report: 5 tracked tasks, 1 executor work item", report[0]);
        Assert.Matches(
            $@"^  task 'sleeper' \(waiting, age \d+\.\d s\) created at .*AioRun\.TestHost[/\\]Program\.cs:{sleeperLine}; waiting on Aio\.Sleep, due in 3[56]\d\d\.\d s$",
            Single(report, "  task 'sleeper' "));
        Assert.EndsWith("; waiting on protected work 'protected-work'", Single(report, "  task 'shield-caller' "), StringComparison.Ordinal);
        Assert.Matches(@"^  task 'protected-work' \(waiting, age \d+\.\d s, protected\) created at .*Program\.cs:\d+; waiting on Aio\.Sleep, due in ", Single(report, "  task 'protected-work' "));
        Assert.Matches(@"; waiting on executor work \((running|queued), age \d+\.\d s\)$", Single(report, "  task 'executor-caller' "));
        Assert.Matches(@"^  task 'main' \(waiting, age \d+\.\d s\) created at .*Program\.cs:\d+; waiting on Aio\.Sleep, due in ", Single(report, "  task 'main' "));
        Assert.Matches(@"^  executor work \((running|queued), age \d+\.\d s\) submitted by task 'executor-caller'$", Single(report, "  executor work "));

        // The loop ran on: a second report, then a normal shutdown.
        child.SignalReport();
        WaitForReport(child, 2);
        child.Signal(PosixSignal.SIGTERM);

        int exitCode = child.WaitForExit();
        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.Stderr, "Stopping the loop", "Entering shutdown phase.", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!");
    }

    [UnixTheory]
    [MemberData(nameof(Escalations))]
    public void With_EscalateOnSecondSignal_a_second_signal_during_the_shutdown_writes_the_report_and_exits_with_128_plus_the_signal(
        string scenario, PosixSignal first, PosixSignal second, int expectedExitCode)
    {
        using var child = ChildProcess.StartDotnet(HostDll, scenario);
        child.WaitForLine("READY");

        child.Signal(first);
        // The shutdown waits: for the stubborn task in phase 5 (60 s), for the hung job in phase 6 (for ever).
        child.WaitForLine(scenario == "escalate-stubborn-task" ? "Running pending tasks till complete" : "Waiting for executor shutdown.");
        child.Signal(second);

        int exitCode = child.WaitForExit();
        Assert.True(exitCode == expectedExitCode, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        string name = second == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        string header = Assert.Single(child.Stderr, l => l.StartsWith("Task report: ", StringComparison.Ordinal));
        Lines.AssertInOrder(child.Stderr, header, $"Second signal during the shutdown ({name}); exiting now.");
        Assert.DoesNotContain("Leaving. Bye!", child.Stderr);
        if (scenario == "escalate-stubborn-task")
        {
            Assert.Contains("stubborn ignores its cancellation", child.Stderr);
            // main may still be finishing its cancellation when the report is taken.
            Assert.Matches(@"^Task report: [12] tracked tasks?, 0 executor work items$", header);
            Assert.Contains(child.Stderr, l => l.StartsWith("  task 'stubborn' (cancel requested, age ", StringComparison.Ordinal));
        }
        else
        {
            // main's await of the hung job ended with its cancellation, so only the job is left.
            Assert.Equal("Task report: 0 tracked tasks, 1 executor work item", header);
            Assert.Contains(child.Stderr, l => Regex.IsMatch(l, @"^  executor work \(running, age \d+\.\d s\) submitted by task 'main'$"));
        }
    }

    [UnixFact]
    public void Without_EscalateOnSecondSignal_SIGUSR1_during_the_shutdown_reports_and_a_second_SIGTERM_is_ignored()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "slow-cleanup");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        child.WaitForLine("cleanup started");
        child.SignalReport();
        WaitForReport(child, 1);
        child.Signal(PosixSignal.SIGTERM);

        int exitCode = child.WaitForExit();
        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.AllLines, "cleanup started", "Task report: 1 tracked task, 0 executor work items");
        Lines.AssertInOrder(child.AllLines, "cleanup started", "cleanup finished", "Leaving. Bye!");
        Assert.Contains(child.Stderr, l => l.StartsWith("  task 'main' (cancel requested, age ", StringComparison.Ordinal));
        Assert.DoesNotContain(child.Stderr, l => l.StartsWith("Second signal", StringComparison.Ordinal));
    }

    [UnixFact]
    public void A_standard_error_that_cannot_be_written_stops_neither_the_report_nor_the_shutdown()
    {
        if (!File.Exists("/dev/full"))
        {
            return; // every write to /dev/full fails (ENOSPC): Linux only
        }

        using var child = ChildProcess.StartDotnetWithStandardErrorTo("/dev/full", SayOnStdout, HostDll, "report");
        child.WaitForLine("READY");

        child.SignalReport();
        child.SignalReport();
        child.Signal(PosixSignal.SIGTERM);

        // Every log line, the reports and the exit went to a standard error that fails every write.
        int exitCode = child.WaitForExit();
        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
    }

    [UnixFact]
    public void A_standard_error_that_cannot_be_written_does_not_stop_the_escalation()
    {
        if (!File.Exists("/dev/full"))
        {
            return; // every write to /dev/full fails (ENOSPC): Linux only
        }

        using var child = ChildProcess.StartDotnetWithStandardErrorTo("/dev/full", SayOnStdout, HostDll, "escalate-stubborn-task");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        child.WaitForLine("stubborn ignores its cancellation");
        child.Signal(PosixSignal.SIGTERM);

        int exitCode = child.WaitForExit();
        Assert.True(exitCode == 143, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
    }

    private static readonly Dictionary<string, string> SayOnStdout = new() { ["AIORUN_TESTHOST_SAY"] = "stdout" };

    /// <summary>Waits for the <paramref name="nth"/> report to be complete (its last line is the executor's or a task's); returns its lines.</summary>
    private static IReadOnlyList<string> WaitForReport(ChildProcess child, int nth)
    {
        string header = child.WaitForLines(IsHeader, nth, "a task report header")[nth - 1];
        Match counts = Regex.Match(header, @"^Task report: (\d+) tracked tasks?, (\d+) executor work items?$");
        Assert.True(counts.Success, header);
        int lines = 1 + int.Parse(counts.Groups[1].Value) + int.Parse(counts.Groups[2].Value);
        while (true)
        {
            // Counted before the snapshot: a line that arrives in between then ends the wait below at once, where a
            // count taken after it would wait for a line that never comes (the child prints nothing more until signalled).
            int seen = child.AllLines.Count;
            IReadOnlyList<string> stderr = child.Stderr;
            int at = IndexOfNth(stderr, IsHeader, nth);
            if (stderr.Count - at >= lines)
            {
                return stderr.Skip(at).Take(lines).ToArray();
            }

            child.WaitForLines(_ => true, seen + 1, "the rest of the task report");
        }
    }

    private static bool IsHeader(string line) => line.StartsWith("Task report: ", StringComparison.Ordinal);

    private static int IndexOfNth(IReadOnlyList<string> lines, Func<string, bool> match, int nth)
    {
        for (int i = 0, seen = 0; i < lines.Count; i++)
        {
            if (match(lines[i]) && ++seen == nth)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Single(IReadOnlyList<string> report, string prefix) =>
        Assert.Single(report, l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The line of AioRun.TestHost/Program.cs that holds <paramref name="marker"/>, from 1.</summary>
    private static int HostLine(string marker)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repository.Root, "AioRun.TestHost", "Program.cs"));
        int index = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal));
        Assert.True(index >= 0, $"No line of AioRun.TestHost/Program.cs holds '{marker}'.");
        return index + 1;
    }
}
