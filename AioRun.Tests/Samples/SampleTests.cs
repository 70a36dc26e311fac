using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Samples;

/// <summary>
/// Every sample of AioRun.Samples run as a user runs it (its built program, real signals), asserting the
/// output and exit code its comments document. Stdout and stderr are merged, so the order of the program's
/// own lines and the shutdown lines is exact.
/// </summary>
public class SampleTests
{
    /// <summary>The shutdown's phase lines; <paramref name="cancelling"/> is phase 4's, which gives the count.</summary>
    private static string[] ShutdownLines(string cancelling) => new[]
    {
        "Entering shutdown phase.",
        cancelling,
        "Running pending tasks till complete",
        "Waiting for executor shutdown.",
        "Leaving. Bye!",
    };

    [UnixFact]
    public void Quickstart_stops_itself_and_shuts_down_in_order()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("Quickstart"), "0.2");

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(child.AllLines, "Running. Press Ctrl-C to stop (or wait 0.2 s).", "Executor computed 500,000,500,000.", "Main is done; stopping the loop.");
        Lines.AssertInOrder(child.AllLines, "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "ticker was cancelled!", "Leaving. Bye!");
        // The protected work may finish before or during the shutdown (a matter of timing); never after it.
        Lines.AssertInOrder(child.AllLines, "state saved (ShutdownWaitsFor kept it alive through the shutdown)", "Leaving. Bye!");
    }

    [UnixFact]
    public void Quickstart_stops_on_Ctrl_C()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("Quickstart"), "3600");
        child.WaitForLine("Executor computed 500,000,500,000.");

        child.Signal(PosixSignal.SIGINT);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        // main and the ticker; the protected work is not cancelled.
        Lines.AssertInOrder(child.AllLines, new[] { "Stopping the loop" }.Concat(ShutdownLines("Cancelling pending tasks. (2 tasks)")).ToArray());
        Assert.DoesNotContain("Main is done; stopping the loop.", child.AllLines);
    }

    [UnixFact]
    public void The_echo_client_talks_to_the_echo_server_which_shuts_down_on_SIGINT()
    {
        string port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var server = ChildProcess.StartDotnetMerged(Repository.SampleDll("EchoServer"), port);
        server.WaitForLine($"Serving on 127.0.0.1:{port}");

        using (var client = ChildProcess.StartDotnetMerged(Repository.SampleDll("EchoClient"), port))
        {
            Assert.True(client.WaitForExit() == 0, client.Transcript);
            Lines.AssertInOrder(client.AllLines, new[] { "Send: 'Hello World!'", "Received: 'Hello World!'", "Close the socket" }.Concat(ShutdownLines("Cancelling pending tasks. (0 tasks)")).ToArray());
        }

        server.WaitForLine("Close the client socket");
        server.Signal(PosixSignal.SIGINT);

        Assert.True(server.WaitForExit() == 0, server.Transcript);
        Assert.Contains(server.AllLines, l => l.StartsWith("Received 'Hello World!' from 127.0.0.1:", StringComparison.Ordinal));
        Lines.AssertInOrder(server.AllLines, "Send: 'Hello World!'", "Close the client socket", "Stopping the loop", "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "Leaving. Bye!");
    }

    [UnixFact]
    public void StopOnUnhandled_exits_1_with_the_error_after_the_whole_shutdown()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("StopOnUnhandled"));

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        Lines.AssertInOrder(child.AllLines, new[] { "Unhandled exception; stopping loop." }.Concat(ShutdownLines("Cancelling pending tasks. (0 tasks)")).Append("Unhandled exception. System.Exception: ouch").ToArray());
        Assert.Contains(child.AllLines, l => l.Contains("Program.Main()", StringComparison.Ordinal));
    }

    [UnixFact]
    public void An_unhandled_error_in_a_task_with_no_main_stops_the_program_too()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("UnhandledInTaskNoMain"));

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        Lines.AssertInOrder(child.AllLines, new[] { "Unhandled exception; stopping loop." }.Concat(ShutdownLines("Cancelling pending tasks. (0 tasks)")).Append("Unhandled exception. System.Exception: ouch").ToArray());
        Assert.Contains(child.AllLines, l => l.Contains("Program.Job()", StringComparison.Ordinal));
    }

    [UnixFact]
    public void A_custom_handler_with_StopOnUnhandledErrors_is_refused_before_the_loop_runs()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("RefusedHandler"));

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        Assert.StartsWith(
            "Unhandled exception. System.InvalidOperationException: If you provide a loop instance, and you've configured a custom exception handler on it, then the 'stop_on_unhandled_errors' parameter is unavailable (all exceptions will be handled).",
            child.AllLines[0],
            StringComparison.Ordinal);
        Assert.DoesNotContain("Entering shutdown phase.", child.AllLines);
        Assert.DoesNotContain("Error", child.AllLines); // the job never ran, so the handler never did
    }

    [UnixFact]
    public void A_custom_handler_that_stops_the_loop_lets_the_shutdown_cancel_the_other_job()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("CustomStopHandler"));

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(child.AllLines, "Stopping loop due to error: ouch", "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "other_job was cancelled!", "Leaving. Bye!");
    }

    [UnixFact]
    public void The_shield_demo_cancels_the_caller_at_once_and_finishes_the_work_before_exiting()
    {
        // Half a second per step: the signal must arrive while the work is still counting (4 s of margin, for a
        // loaded machine); the sample's behaviour is timed by nature.
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("ShieldDemo"), "0.5");
        child.WaitForLine("1");

        child.Signal(PosixSignal.SIGINT);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        IReadOnlyList<string> lines = child.AllLines;
        Lines.AssertInOrder(lines, "0", "1", "Stopping the loop", "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "oh noes!", "9", "done!", "Waiting for executor shutdown.", "Leaving. Bye!");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines.Where(l => l.Length == 1));
    }

    [UnixFact]
    public void The_ctrl_break_example_shuts_its_child_down_in_order_with_the_signal_this_platform_has()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("WindowsCtrlBreak"));

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(
            child.AllLines,
            "parent: child says 'child: running; waiting for CTRL-BREAK'",
            "parent: sending SIGTERM (CTRL-BREAK is Windows-only)",
            "Stopping the loop",
            "Leaving. Bye!",
            "parent: child exited with 0");
    }

    /// <summary>The AioRun meter's instruments, as the README's Metrics table lists them.</summary>
    private static readonly string[] AioRunInstruments =
    {
        "aiorun.tasks.active",
        "aiorun.tasks.created",
        "aiorun.loop.callbacks",
        "aiorun.loop.lag",
        "aiorun.executor.active",
        "aiorun.executor.queued",
    };

    /// <summary>The console exporter's heading of one metric: <c>Metric Name: aiorun.tasks.created, Description: ...</c>.</summary>
    private static Func<string, bool> ExporterHeading(string instrument) =>
        line => line.StartsWith($"Metric Name: {instrument},", StringComparison.Ordinal);

    [UnixFact]
    public void Telemetry_exports_every_AioRun_instrument_with_the_OpenTelemetry_console_exporter_and_stops_on_SIGINT()
    {
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("Telemetry"), "3600");
        foreach (string instrument in AioRunInstruments)
        {
            child.WaitForLines(ExporterHeading(instrument), 1, $"the exporter's heading of {instrument}");
        }

        child.Signal(PosixSignal.SIGINT);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        List<string> lines = child.AllLines.ToList();
        Assert.Contains("\tservice.name: Telemetry", lines);
        Assert.Contains("\tName: AioRun", lines);
        Lines.AssertInOrder(lines, "Stopping the loop", "Entering shutdown phase.", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!");
        // main, the producer, and whichever jobs were in flight.
        Assert.Single(lines, l => l.StartsWith("Cancelling pending tasks. (", StringComparison.Ordinal));
        Assert.DoesNotContain("Time is up; stopping the loop.", lines);
        // Main was cancelled in phase 4; disposing the MeterProvider as it ended exported once more, in phase 5.
        int lastExport = lines.FindLastIndex(l => ExporterHeading("aiorun.tasks.created")(l));
        Assert.InRange(lastExport, lines.IndexOf("Running pending tasks till complete"), lines.IndexOf("Waiting for executor shutdown."));
    }

    [UnixFact]
    public void Telemetry_stops_itself_with_a_last_export_before_the_shutdown()
    {
        // Shorter than the export interval: the only export is the one disposing the MeterProvider makes.
        using var child = ChildProcess.StartDotnetMerged(Repository.SampleDll("Telemetry"), "0.3");

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        List<string> lines = child.AllLines.ToList();
        Lines.AssertInOrder(lines, "Exporting the AioRun meter every second. Press Ctrl-C to stop (or wait 0.3 s).", "Time is up; stopping the loop.", "Entering shutdown phase.");
        int stopped = lines.IndexOf("Time is up; stopping the loop.");
        int shutdown = lines.IndexOf("Entering shutdown phase.");
        // The lag probe measures once a second, so the histogram may have nothing yet; the others are read at the export.
        foreach (string instrument in AioRunInstruments.Where(i => i != "aiorun.loop.lag"))
        {
            Assert.InRange(lines.FindIndex(l => ExporterHeading(instrument)(l)), stopped, shutdown);
        }

        Lines.AssertInOrder(lines, "Entering shutdown phase.", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
