using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using AioRun.Tests.Net;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// The real-signal tests against AioRun.Samples/NativeService — a generated [AioRunEntry] program — built twice: as the
/// tests' build made it (run with dotnet) and published with NativeAOT. Both must behave alike: SIGINT and SIGTERM run
/// the shutdown, SIGUSR1 writes the task report and the program runs on, and (EscalateOnSecondSignal is on in its
/// csproj) a second signal during the shutdown exits at once with 128 + the signal.
/// </summary>
[Collection(NativeAotCollection.Name)]
public class NativeAotTests
{
    private readonly NativeServiceBuild _build;

    public NativeAotTests(NativeServiceBuild build) => _build = build;

    public static TheoryData<bool, PosixSignal> Shutdowns => new()
    {
        { false, PosixSignal.SIGINT }, { false, PosixSignal.SIGTERM }, { true, PosixSignal.SIGINT }, { true, PosixSignal.SIGTERM },
    };

    public static TheoryData<bool> Builds => new() { false, true };

    public static TheoryData<bool, string, PosixSignal, int> Escalations => new()
    {
        { false, "stubborn", PosixSignal.SIGTERM, 143 },
        { true, "stubborn", PosixSignal.SIGTERM, 143 },
        { true, "stubborn", PosixSignal.SIGINT, 130 },
        { true, "hung-executor", PosixSignal.SIGTERM, 143 },
    };

    [UnixTheory]
    [MemberData(nameof(Shutdowns))]
    public void A_signal_runs_the_shutdown_and_exits_0(bool native, PosixSignal signal)
    {
        using var child = _build.Start(native);
        child.WaitForLine("READY");

        child.Signal(signal);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.Stderr, "Stopping the loop", "Entering shutdown phase.", "Cancelling pending tasks. (2 tasks)", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!");
        Assert.Contains("worker: cancelled", child.Stdout);
    }

    [UnixTheory]
    [MemberData(nameof(Builds))]
    public void SIGUSR1_writes_the_task_report_with_the_entrys_creation_site_and_the_program_runs_on(bool native)
    {
        using var child = _build.Start(native);
        child.WaitForLine("READY");

        child.SignalReport();
        string header = child.WaitForLines(l => l.StartsWith("Task report: ", StringComparison.Ordinal), 1, "the task report's header")[0];
        string main = child.WaitForLines(l => l.StartsWith("  task 'main' ", StringComparison.Ordinal), 1, "the main task's report line")[0];
        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.Equal("Task report: 2 tracked tasks, 0 executor work items", header);
        // The main task's creation site is the [AioRunEntry] method in the sample's Program.cs, not the generated file.
        Assert.Matches(@"^  task 'main' \(waiting, age \d+\.\d s\) created at .*NativeService[/\\]Program\.cs:\d+; waiting on Aio\.Sleep", main);
        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.Contains("Leaving. Bye!", child.Stderr);
    }

    [UnixTheory]
    [MemberData(nameof(Escalations))]
    public void A_second_signal_during_the_shutdown_writes_the_report_and_exits_with_128_plus_the_signal(bool native, string scenario, PosixSignal second, int expected)
    {
        using var child = _build.Start(native, scenario);
        child.WaitForLine("READY");
        if (scenario == "hung-executor")
        {
            child.WaitForLine("executor: started");
        }

        child.Signal(PosixSignal.SIGTERM);
        child.WaitForLine(scenario == "stubborn" ? "stubborn: refusing to stop" : "Waiting for executor shutdown.");
        child.Signal(second);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == expected, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        string name = second == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        string header = Assert.Single(child.Stderr, l => l.StartsWith("Task report: ", StringComparison.Ordinal));
        Lines.AssertInOrder(child.Stderr, header, $"Second signal during the shutdown ({name}); exiting now.");
        Assert.DoesNotContain("Leaving. Bye!", child.Stderr);
        if (scenario == "stubborn")
        {
            Assert.Contains(child.Stderr, l => Regex.IsMatch(l, @"^  task 'stubborn' \(cancel requested, age \d+\.\d s\) created at .*Program\.cs:\d+"));
        }
        else
        {
            Assert.Contains(child.Stderr, l => Regex.IsMatch(l, @"^  executor work \(running, age \d+\.\d s\)"));
        }
    }

    [UnixTheory]
    [MemberData(nameof(Builds))]
    public void The_loop_lag_watchdog_names_a_task_that_blocks_the_loop_while_it_blocks_and_when_it_ends(bool native)
    {
        using var child = _build.Start(native, "blocker");
        child.WaitForLine("blocker: done");
        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        const string Task = @"task 'blocker' \(created at .*NativeService[/\\]Program\.cs:\d+\)$";
        Assert.Contains(child.Stderr, l => Regex.IsMatch(l, @"^Loop blocked for \d+ ms so far by " + Task));
        Assert.Contains(child.Stderr, l => Regex.IsMatch(l, @"^Loop blocked for (\d+) ms by " + Task) && int.Parse(Regex.Match(l, @"\d+").Value) >= 500);
    }

    [LinuxFact]
    public void The_native_executable_binds_libc_s_functions_at_link_and_never_searches_for_libc()
    {
        // glibc's loader reports every library it looks for under LD_DEBUG=libs. Bound at run time, AioRun's first libc
        // call (here the epoll scenario's sockets, then the lifecycle lines) would look for "libc.so", then "liblibc.so".
        using var child = _build.Start(native: true, new Dictionary<string, string?> { ["LD_DEBUG"] = "libs" }, "epoll");
        child.WaitForLine("epoll: self-connect read 'ping', on the loop: True");
        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.Contains("Leaving. Bye!", child.Stderr);
        Assert.True(child.Stderr.Any(l => l.Contains("find library=libc.so.6", StringComparison.Ordinal)), "LD_DEBUG=libs printed nothing: not glibc's loader?");
        Assert.DoesNotContain(child.Stderr, l => l.Contains("find library=libc.so ", StringComparison.Ordinal) || l.Contains("liblibc", StringComparison.Ordinal));
    }

    [UnixTheory]
    [MemberData(nameof(Builds))]
    public void Under_systemd_it_is_READY_pings_the_watchdog_and_says_STOPPING_and_each_phase(bool native)
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        using var child = _build.Start(native, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = receiver.Address, ["WATCHDOG_USEC"] = "200000" });
        child.WaitForLine("READY");
        int ready = receiver.WaitForOrFail("READY=1");
        receiver.WaitForOrFail("WATCHDOG=1", from: ready + 1);

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();
        receiver.Mark();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.Equal(
            new[] { "READY=1", "STOPPING=1", "STATUS=Entering shutdown phase.", "STATUS=Cancelling pending tasks.", "STATUS=Running pending tasks till complete", "STATUS=Waiting for executor shutdown.", "STATUS=Leaving. Bye!" },
            receiver.Messages.Where(m => m != "WATCHDOG=1"));
    }
}

/// <summary>
/// The native tests share one publish (<see cref="NativeServiceBuild"/>), and run alone, after the other tests: the
/// publish takes the machine's cores for about a minute, which would slow the other process tests down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeAotCollection : ICollectionFixture<NativeServiceBuild>
{
    public const string Name = "NativeAOT";
}
