using System.Net.Sockets;
using System.Runtime.InteropServices;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// systemd's notify protocol as a service sees it: a real child process (AioRun.TestHost, or a sample built with the
/// generator) with <c>NOTIFY_SOCKET</c> (and <c>WATCHDOG_USEC</c>) in its environment, a real Unix datagram socket in the
/// test as systemd's end, and real signals.
/// </summary>
public class SystemdProcessTests
{
    private const string Ready = "READY=1";
    private const string Watchdog = "WATCHDOG=1";

    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "AioRun.TestHost.dll");

    /// <summary>What the shutdown sends: STOPPING=1, then each phase's log line as STATUS.</summary>
    private static readonly string[] ShutdownNotifications =
    {
        "STOPPING=1",
        "STATUS=Entering shutdown phase.",
        "STATUS=Cancelling pending tasks.",
        "STATUS=Running pending tasks till complete",
        "STATUS=Waiting for executor shutdown.",
        "STATUS=Leaving. Bye!",
    };

    public static TheoryData<bool> SocketKinds => new() { false, true };

    [UnixTheory]
    [MemberData(nameof(SocketKinds))]
    public void READY_when_Main_is_done_then_watchdog_pings_then_STOPPING_and_a_STATUS_per_phase_after_SIGTERM(bool abstractSocket)
    {
        if (abstractSocket && !OperatingSystem.IsLinux())
        {
            return; // Abstract socket names are Linux's.
        }

        using NotifyReceiver receiver = abstractSocket ? NotifyReceiver.Abstract() : NotifyReceiver.AtPath();
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address, watchdogUsec: "400000"), "systemd");
        int ready = receiver.WaitForOrFail(Ready);
        receiver.WaitForOrFail(Watchdog, from: ready + 1);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(1, UnixDatagramSockets(child.Id));
        }

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        receiver.Mark();
        IReadOnlyList<string> messages = receiver.Messages;
        Assert.Equal(new[] { Ready }.Concat(ShutdownNotifications), messages.Where(m => m != Watchdog));
        int stopping = IndexOf(messages, "STOPPING=1");
        Assert.Contains(Watchdog, messages.Take(stopping).Skip(ready + 1));
        // The STATUS lines are the phases' log lines (the cancel phase's without its count).
        Lines.AssertInOrder(PhaseNames(child.Stderr), ShutdownNotifications.Skip(1).Select(s => s["STATUS=".Length..]).ToArray());
    }

    [UnixFact]
    public void Aio_NotifyReady_sends_READY_once_before_Main_completes()
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address), "systemd-notify-ready");
        receiver.WaitForOrFail(Ready);
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        receiver.Mark();
        // Main called it twice and never completed: it was cancelled by the shutdown.
        Assert.Equal(new[] { Ready }.Concat(ShutdownNotifications), receiver.Messages);
        Assert.Contains("Cancelling task: main", child.Stderr);
    }

    [UnixFact]
    public void A_Main_that_never_completes_is_never_READY_not_even_when_the_shutdown_cancels_it()
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address), "service");
        child.WaitForLine("READY");
        Assert.Equal(0, receiver.Mark());

        child.Signal(PosixSignal.SIGINT);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        receiver.Mark();
        Assert.Equal(ShutdownNotifications, receiver.Messages);
    }

    [UnixFact]
    public void Watchdog_pings_stop_while_the_loop_thread_is_blocked_and_resume_when_it_runs_again()
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        // A ping every 100 ms.
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address, watchdogUsec: "200000"), "systemd-block");
        child.WaitForLine("READY");
        int ready = receiver.WaitForOrFail(Ready);
        receiver.WaitForOrFail(Watchdog, from: receiver.WaitForOrFail(Watchdog, from: ready + 1) + 1);

        child.WriteLine("block");
        child.WaitForLine("BLOCKED");
        int blocked = receiver.Mark(); // everything sent before the loop thread blocked
        // Ten ping periods with the loop thread blocked: no ping may come.
        bool pingedWhileBlocked = receiver.WaitFor(Watchdog, from: blocked, timeout: TimeSpan.FromSeconds(1));
        int unblocking = receiver.Mark();
        child.WriteLine("unblock");
        child.WaitForLine("UNBLOCKED");
        receiver.WaitForOrFail(Watchdog, from: unblocking);

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.False(pingedWhileBlocked, string.Join(Environment.NewLine, receiver.Messages.Skip(blocked).Take(unblocking - blocked)));
        Assert.Equal(blocked, unblocking);
        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
    }

    [UnixFact]
    public void Without_NOTIFY_SOCKET_nothing_is_sent_nor_opened_and_nothing_is_said()
    {
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(notifySocket: null, watchdogUsec: "200000"), "systemd");
        child.WaitForLine("READY");
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(0, UnixDatagramSockets(child.Id));
        }

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Assert.DoesNotContain(child.Stderr, l => l.Contains("systemd", StringComparison.Ordinal));
    }

    [UnixFact]
    public void A_generated_program_is_READY_when_Main_is_done_and_STOPPING_when_the_loop_stops_by_itself()
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        // Main returns after 0.2 s and stops the loop (no signal).
        using var child = ChildProcess.StartDotnet(Repository.SampleDll("Quickstart"), NotifyEnvironment(receiver.Address), "0.2");

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        receiver.Mark();
        Assert.Equal(new[] { Ready }.Concat(ShutdownNotifications), receiver.Messages);
    }

    [UnixFact]
    public void A_generated_void_entry_is_READY_at_the_first_turn_of_the_loop()
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        // void Main(AioLoop loop) creates a job that fails; StopOnUnhandledErrors stops the program with exit code 1.
        using var child = ChildProcess.StartDotnet(Repository.SampleDll("UnhandledInTaskNoMain"), NotifyEnvironment(receiver.Address));

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        receiver.Mark();
        Assert.Equal(new[] { Ready }.Concat(ShutdownNotifications), receiver.Messages);
    }

    public static TheoryData<string> BadSockets => new()
    {
        "@",                                    // an abstract socket without a name
        "relative/notify.sock",                 // neither absolute nor abstract
        "/tmp/" + new string('n', 120),         // longer than a Unix socket address
        "missing",                              // (a path in the temporary directory with no socket: ENOENT)
        "stale",                                // (a socket file nobody receives on: ECONNREFUSED)
    };

    [UnixTheory]
    [MemberData(nameof(BadSockets))]
    public void A_bad_or_unreachable_NOTIFY_SOCKET_is_one_warning_and_a_clean_shutdown(string notifySocket)
    {
        string? file = notifySocket is "missing" or "stale" ? Path.Combine(Path.GetTempPath(), "aiorun-" + Guid.NewGuid().ToString("N")[..12] + ".sock") : null;
        if (notifySocket == "stale")
        {
            using var gone = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            gone.Bind(new UnixDomainSocketEndPoint(file!)); // the file stays after the socket is closed
        }

        try
        {
            using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(file ?? notifySocket, watchdogUsec: "200000"), "systemd");
            child.WaitForLine("READY");

            child.Signal(PosixSignal.SIGTERM);
            int exitCode = child.WaitForExit();

            Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
            string warning = Assert.Single(child.Stderr, l => l.Contains("systemd", StringComparison.Ordinal));
            Assert.StartsWith("systemd notifications are off: ", warning, StringComparison.Ordinal);
            Assert.Contains($"NOTIFY_SOCKET='{file ?? notifySocket}'", warning, StringComparison.Ordinal);
            Lines.AssertInOrder(PhaseNames(child.Stderr), ShutdownNotifications.Skip(1).Select(s => s["STATUS=".Length..]).ToArray());
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    [UnixFact]
    public void A_socket_that_goes_away_while_the_program_runs_is_one_warning_and_a_clean_shutdown()
    {
        var receiver = NotifyReceiver.AtPath();
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address, watchdogUsec: "200000"), "systemd");
        receiver.WaitForOrFail(Ready);

        receiver.Dispose(); // the socket and its file are gone: the next ping or STOPPING=1 finds nothing there
        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        string warning = Assert.Single(child.Stderr, l => l.Contains("systemd", StringComparison.Ordinal));
        Assert.Contains("(ENOENT)", warning, StringComparison.Ordinal);
        Assert.Contains("Leaving. Bye!", child.Stderr);
    }

    public static TheoryData<string, string?, string?> WatchdogSettings => new()
    {
        { "ten seconds", null, "WATCHDOG_USEC='ten seconds'" },
        { "0", null, "WATCHDOG_USEC='0'" },
        { "200000", "not-a-pid", "WATCHDOG_PID='not-a-pid'" },
        { "200000", "1", null }, // another process's watchdog (pid 1): not ours to ping, and nothing wrong
    };

    [UnixTheory]
    [MemberData(nameof(WatchdogSettings))]
    public void Watchdog_settings_that_are_not_ours_or_not_numbers_send_no_pings_and_the_rest_still_goes_out(string watchdogUsec, string? watchdogPid, string? warned)
    {
        using NotifyReceiver receiver = NotifyReceiver.AtPath();
        using var child = ChildProcess.StartDotnet(HostDll, NotifyEnvironment(receiver.Address, watchdogUsec, watchdogPid), "systemd");
        receiver.WaitForOrFail(Ready);
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        receiver.Mark();
        Assert.Equal(new[] { Ready }.Concat(ShutdownNotifications), receiver.Messages);
        string[] warnings = child.Stderr.Where(l => l.Contains("systemd", StringComparison.Ordinal)).ToArray();
        if (warned is null)
        {
            Assert.Empty(warnings);
        }
        else
        {
            string warning = Assert.Single(warnings);
            Assert.StartsWith("systemd watchdog pings are off: " + warned, warning, StringComparison.Ordinal);
        }
    }

    /// <summary>The child's environment: NOTIFY_SOCKET and the watchdog's variables as given, unset when null (whatever the tests' own are).</summary>
    private static Dictionary<string, string?> NotifyEnvironment(string? notifySocket, string? watchdogUsec = null, string? watchdogPid = null) => new()
    {
        ["NOTIFY_SOCKET"] = notifySocket,
        ["WATCHDOG_USEC"] = watchdogUsec,
        ["WATCHDOG_PID"] = watchdogPid,
        [AioLogging.LevelVariable] = "Debug",
    };

    /// <summary>The log lines with the cancel phase's count taken off (STATUS carries the phase's name, the log line also its count).</summary>
    private static IReadOnlyList<string> PhaseNames(IReadOnlyList<string> lines) =>
        lines.Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"^(Cancelling pending tasks\.) \(\d+ tasks?\)$", "$1")).ToList();

    /// <summary>How many Unix datagram sockets process <paramref name="pid"/> holds open (Linux: its fds against /proc/net/unix).</summary>
    private static int UnixDatagramSockets(int pid)
    {
        var datagramInodes = new HashSet<string>();
        foreach (string line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode [Path]; Type 0002 is SOCK_DGRAM.
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 7 && fields[4] == "0002")
            {
                datagramInodes.Add(fields[6]);
            }
        }

        int count = 0;
        foreach (string fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && datagramInodes.Contains(target["socket:[".Length..^1]))
            {
                count++;
            }
        }

        return count;
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
