using System.Runtime.InteropServices;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// The shutdown sequence of a real process (AioRun.TestHost, whose Main lines the phases up in aiorun's order: stop
/// the loop, run the shutdown callback, cancel the pending tasks, run them till complete, wait for the executor,
/// close the loop), driven by real SIGINT and SIGTERM.
/// </summary>
public class ShutdownProcessTests
{
    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "AioRun.TestHost.dll");

    public static TheoryData<PosixSignal> ShutdownSignals => new() { PosixSignal.SIGINT, PosixSignal.SIGTERM };

    [UnixTheory]
    [MemberData(nameof(ShutdownSignals))]
    public void A_signal_runs_every_shutdown_phase_in_order_and_exits_0(PosixSignal signal)
    {
        using var child = ChildProcess.StartDotnet(HostDll, "service");
        child.WaitForLine("READY");

        child.Signal(signal);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        // main, three workers and the protected work's caller; the protected work itself is not cancelled.
        Lines.AssertInOrder(
            child.Stderr,
            "Stopping the loop",
            "Entering shutdown phase.",
            "Cancelling pending tasks. (5 tasks)",
            "Running pending tasks till complete",
            "Waiting for executor shutdown.",
            "Leaving. Bye!");
        Assert.DoesNotContain(child.Stderr, l => l.StartsWith("Cancelling task: ", StringComparison.Ordinal)); // Debug lines
    }

    [UnixFact]
    public void With_the_default_handler_and_logger_the_first_line_comes_at_once_even_while_the_loop_is_blocked()
    {
        // The loop thread blocks on demand (a task reads stdin on it); the line must not wait for it, the stop does.
        using var child = ChildProcess.StartDotnet(HostDll, "systemd-block");
        child.WaitForLine("READY");
        child.WriteLine("block");
        child.WaitForLine("BLOCKED");

        child.Signal(PosixSignal.SIGTERM);
        child.WaitForLine("Stopping the loop");
        child.WriteLine("unblock");
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.AllLines, "BLOCKED", "Stopping the loop", "UNBLOCKED", "Entering shutdown phase.", "Leaving. Bye!");
        Assert.Single(child.Stderr, l => l == "Stopping the loop");
    }

    [UnixFact]
    public void At_Debug_level_the_cancel_phase_names_each_task_it_cancels()
    {
        using var child = ChildProcess.StartDotnet(HostDll, new Dictionary<string, string?> { [AioLogging.LevelVariable] = "Debug" }, "service");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, child.WaitForExit());

        Lines.AssertInOrder(child.Stderr, "Cancelling pending tasks. (5 tasks)", "Running pending tasks till complete");
        string[] cancelled = child.Stderr.Where(l => l.StartsWith("Cancelling task: ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            new[] { "Cancelling task: main", "Cancelling task: protected-caller", "Cancelling task: worker-1", "Cancelling task: worker-2", "Cancelling task: worker-3" },
            cancelled);
    }

    [UnixFact]
    public void Cancelled_tasks_see_cancellation_and_protected_and_executor_work_finish_before_bye()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "service");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, child.WaitForExit());

        IReadOnlyList<string> lines = child.AllLines;
        int bye = IndexOf(lines, "Leaving. Bye!");
        foreach (string expected in new[]
        {
            "worker 1 saw cancellation", "worker 2 saw cancellation", "worker 3 saw cancellation",
            "protected caller cancelled", "protected work done", "executor work done",
        })
        {
            int at = IndexOf(lines, expected);
            Assert.True(at >= 0 && at < bye, $"'{expected}' should come before 'Leaving. Bye!'{Environment.NewLine}{child.Transcript}");
        }

        // aiorun's shield: the caller is cancelled at once, the protected work finishes later.
        Assert.True(IndexOf(lines, "protected caller cancelled") < IndexOf(lines, "protected work done"), child.Transcript);
    }

    [UnixFact]
    public void Repeated_signals_during_a_slow_cleanup_change_nothing()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "slow-cleanup");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGINT);
        child.WaitForLine("cleanup started");
        child.Signal(PosixSignal.SIGINT);
        child.Signal(PosixSignal.SIGTERM);
        child.Signal(PosixSignal.SIGINT);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.Single(child.Stderr, "Stopping the loop");
        Lines.AssertInOrder(child.AllLines, "cleanup started", "cleanup finished", "Leaving. Bye!");
    }

    [UnixFact]
    public void A_task_that_refuses_to_exit_is_named_with_its_creation_site_after_the_timeout()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "refuse");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        string refused = Assert.Single(child.Stderr, l => l.StartsWith("Task refused to exit", StringComparison.Ordinal));
        Assert.Contains("0.5 s", refused);
        Assert.Contains("'stubborn'", refused);
        Assert.Matches(@"created at .*Program\.cs:\d+", refused);
        Lines.AssertInOrder(child.Stderr, "Running pending tasks till complete", refused, "Waiting for executor shutdown.", "Leaving. Bye!");
    }

    [UnixFact]
    public void StopOnUnhandledErrors_stops_the_loop_shuts_down_and_exits_1_with_the_stack_trace()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "stop-on-unhandled");

        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 1, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.Stderr, "Unhandled exception; stopping loop.", "Entering shutdown phase.", "Leaving. Bye!");
        int bye = IndexOf(child.Stderr, "Leaving. Bye!");
        string report = string.Join(Environment.NewLine, child.Stderr.Skip(bye + 1));
        Assert.Contains("Unhandled exception. System.InvalidOperationException: ouch", report);
        Assert.Contains("Scenarios.Ouch", report);
    }

    [UnixFact]
    public void A_custom_exception_handler_with_StopOnUnhandledErrors_is_refused_before_the_loop_runs()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "refused-handler");

        int exitCode = child.WaitForExit();

        Assert.Equal(1, exitCode);
        Assert.Contains(child.Stderr, l => l.Contains(
            "If you provide a loop instance, and you've configured a custom exception handler on it, then the 'stop_on_unhandled_errors' parameter is unavailable (all exceptions will be handled).",
            StringComparison.Ordinal));
        Assert.DoesNotContain("Entering shutdown phase.", child.Stderr);
    }

    [UnixFact]
    public void The_int_main_returned_is_the_exit_code()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "exit-code");

        Assert.Equal(7, child.WaitForExit());
        Assert.Equal("Leaving. Bye!", child.Stderr[^1]);
    }

    [UnixFact]
    public void A_failing_shutdown_callback_is_reported_after_the_shutdown_and_exits_1()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "shutdown-callback-fails");
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGINT);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 1, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.Stderr, "Entering shutdown phase.", "Cancelling pending tasks. (5 tasks)", "Leaving. Bye!");
        Assert.Contains(child.Stderr, l => l.StartsWith("Unhandled exception. System.InvalidOperationException: the shutdown callback failed", StringComparison.Ordinal));
    }

    private static int IndexOf(IReadOnlyList<string> lines, string line)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i] == line)
            {
                return i;
            }
        }

        return -1;
    }
}
