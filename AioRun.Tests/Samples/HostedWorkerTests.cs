using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Samples;

/// <summary>
/// The HostedWorker sample (the Generic Host with UseAioRun()) run as a user runs it, with real signals. Its lines come
/// through the host's console logger (<c>info: AioRun[2] Entering shutdown phase.</c>), so they are matched by what they
/// contain; stdout and stderr are merged, so their order is exact.
/// </summary>
public class HostedWorkerTests
{
    private const string Fast = "--Ticker:IntervalSeconds=0.1";

    private static readonly string[] Shutdown =
    {
        "AioRun[1] Stopping the loop",
        "AioRun[2] Entering shutdown phase.",
        "Application is shutting down...",
        "Ticker stopping after",
        "Journal final flush of",
        "Journal final flush done",
        "AioRun[3] Cancelling pending tasks. (0 tasks)",
        "AioRun[5] Running pending tasks till complete",
        "AioRun[6] Waiting for executor shutdown.",
        "AioRun[7] Leaving. Bye!",
    };

    [UnixTheory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    public void A_signal_stops_the_host_inside_aioruns_shutdown_in_order_and_exits_0(PosixSignal signal)
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("HostedWorker"), Fast);
        child.WaitForLines(l => l.Contains("Tick 2: hello from appsettings.json", StringComparison.Ordinal), 1, "the second tick");

        child.Signal(signal);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        IReadOnlyList<string> lines = child.AllLines;
        Lines.AssertInOrderContaining(lines, "Application started. Press Ctrl+C to shut down.", "Tick 1: hello from appsettings.json");
        Lines.AssertInOrderContaining(lines, Shutdown);
        // The state is saved under ShutdownWaitsFor: the shutdown waits for it, at the latest in phase 5.
        Lines.AssertInOrderContaining(lines, "Ticker stopping after", "Ticker state saved", "AioRun[6] Waiting for executor shutdown.");
        Assert.Equal("AioRun[7] Leaving. Bye!", lines[^1][(lines[^1].IndexOf("AioRun[", StringComparison.Ordinal))..]);
    }

    [UnixFact]
    public void A_StopAsync_that_outlives_the_hosts_ShutdownTimeout_is_given_up_on_and_the_shutdown_goes_on_and_exits_0()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("HostedWorker"), Fast, "--shutdownTimeoutSeconds=1", "--Journal:FinalFlushSeconds=3");
        child.WaitForLines(l => l.Contains("Tick 1:", StringComparison.Ordinal), 1, "the first tick");

        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrderContaining(
            child.AllLines,
            "AioRun[2] Entering shutdown phase.",
            "Journal final flush of",
            "Journal.StopAsync did not finish within the host's ShutdownTimeout of 1 s; the host gives up on it and the shutdown goes on",
            "AioRun[3] Cancelling pending tasks. (0 tasks)",
            "AioRun[5] Running pending tasks till complete",
            "Journal final flush done",
            "AioRun[6] Waiting for executor shutdown.",
            "AioRun[7] Leaving. Bye!");
    }

    [UnixFact]
    public void The_task_report_names_each_background_service_by_its_type()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("HostedWorker"), Fast);
        child.WaitForLines(l => l.Contains("Tick 1:", StringComparison.Ordinal), 1, "the first tick");

        child.SignalReport();
        child.WaitForLines(l => l.StartsWith("  task 'Journal' (waiting, age ", StringComparison.Ordinal), 1, "the Journal's report line");
        child.WaitForLines(l => l.StartsWith("  task 'Ticker' (", StringComparison.Ordinal), 1, "the Ticker's report line");
        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrderContaining(child.AllLines, "Task report: 2 tracked tasks, 0 executor work items", "AioRun[7] Leaving. Bye!");
    }
}
