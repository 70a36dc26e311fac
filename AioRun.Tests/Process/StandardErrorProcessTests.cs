using System.Text;
using AioRun.Tests.Net;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// The default logger's standard error on Linux (AioRun's own writer on file descriptor 2, not System.Console), as a
/// real process writes it: the text, a log file that standard output shares, a full non-blocking pipe, a reader that is
/// gone. The child is AioRun.TestHost's stderr-* scenarios.
/// </summary>
public class StandardErrorProcessTests
{
    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "AioRun.TestHost.dll");

    [LinuxFact]
    public void Text_arrives_as_UTF_8_lines_with_surrogate_pairs_cut_across_calls_joined()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "stderr-text");

        Assert.Equal(0, child.WaitForExit());

        Assert.Equal(
            new[]
            {
                "plain ascii",
                "é ü — 日本 😀",
                "😀",
                "half a pair at the end 😀 and the rest",
                "a lone surrogate \uFFFD here",
                "chars 42",
                new string('ä', 5_000),
                " ",
            },
            child.Stderr);
        Assert.Equal(new[] { "WROTE" }, child.Stdout);
    }

    [LinuxFact]
    public void A_log_file_shared_with_standard_output_keeps_every_line_of_both_in_order()
    {
        string log = Path.Combine(Path.GetTempPath(), $"aiorun-shared-{Guid.NewGuid():N}.log");
        try
        {
            using (var child = ChildProcess.StartDotnetWithOutputTo(log, HostDll, "stderr-shared-file"))
            {
                Assert.Equal(0, child.WaitForExit());
            }

            string[] expected = Enumerable.Range(0, 200).SelectMany(i => new[] { $"out {i}", $"err {i}" }).ToArray();
            Assert.Equal(expected, File.ReadAllLines(log, Encoding.UTF8));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [LinuxFact]
    public void A_full_non_blocking_pipe_is_waited_for_and_loses_nothing()
    {
        // About 1.2 MB of UTF-8 in one line against a 64 KB pipe that the child made non-blocking.
        const string unit = "0123456789abcdéf—日本😀";
        const int count = 40_000;
        using var child = ChildProcess.StartDotnet(HostDll, "stderr-nonblocking", unit, count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}: {string.Join(Environment.NewLine, child.Stdout)}");
        Assert.Equal(new[] { "WRITING", "WROTE" }, child.Stdout);
        string line = Assert.Single(child.Stderr);
        Assert.True(line == string.Concat(Enumerable.Repeat(unit, count)), $"the line arrived with {line.Length} chars, not {unit.Length * count}");
    }

    [LinuxFact]
    public void A_service_s_standard_error_holds_its_own_lines_and_the_lifecycle_lines_and_nothing_else()
    {
        // The loop goes idle (the background set-up prepares the writer then: nothing may reach standard error from it),
        // then a signal's line is written from the signal's thread and the shutdown's from the loop's, between the host's
        // own lines, which go through System.Console's standard error.
        using var child = ChildProcess.StartDotnet(HostDll, "service");
        child.WaitForLine("READY");
        child.Signal(System.Runtime.InteropServices.PosixSignal.SIGTERM);

        Assert.Equal(0, child.WaitForExit());

        string[] lifecycle =
        {
            "Stopping the loop",
            "Entering shutdown phase.",
            "Cancelling pending tasks. (5 tasks)",
            "Running pending tasks till complete",
            "Waiting for executor shutdown.",
            "Leaving. Bye!",
        };
        string[] host =
        {
            "READY", "worker 1 saw cancellation", "worker 2 saw cancellation", "worker 3 saw cancellation",
            "protected caller cancelled", "executor work done", "protected work done",
        };
        Assert.Equal(lifecycle.Concat(host).Order(StringComparer.Ordinal), child.Stderr.Order(StringComparer.Ordinal));
        Lines.AssertInOrder(child.Stderr, lifecycle);
    }

    [LinuxFact]
    public void A_reader_that_went_away_loses_the_lines_and_stops_nothing()
    {
        using var child = ChildProcess.StartDotnet(HostDll, "stderr-closed-pipe");

        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.Equal(new[] { "SURVIVED" }, child.Stdout);
        Assert.Empty(child.Stderr);
    }
}
