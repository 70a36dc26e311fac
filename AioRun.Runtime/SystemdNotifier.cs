using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>
/// systemd's notify protocol (<c>sd_notify</c>), without libsystemd: one datagram per notification to the Unix socket
/// that <c>NOTIFY_SOCKET</c> names. <see cref="AioProgram"/> tells it the phases: <c>READY=1</c> when the program is
/// ready, <c>STOPPING=1</c> when the shutdown starts, <c>STATUS=&lt;phase line&gt;</c> for each shutdown phase, and
/// <c>WATCHDOG=1</c> every half <c>WATCHDOG_USEC</c> from the loop thread itself, so that a stalled loop stops the pings.
/// </summary>
/// <remarks>
/// Exists only where <c>NOTIFY_SOCKET</c> is set. Bad input (a malformed address, a socket that is gone, an unparsable
/// <c>WATCHDOG_USEC</c>) never stops the program: the first problem is logged once, as a warning, and the notifier goes on
/// without what it cannot do.
/// </remarks>
internal sealed class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    // A send waits at most this long for systemd to take the datagram: the loop thread sends the pings, and a stuck
    // receiver must not stall it for longer than a turn can afford.
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(1);

    private static SystemdNotifier? s_current;

    private readonly object _gate = new();
    private readonly string _socketName;
    private readonly Socket? _socket;
    private readonly SocketAddress? _address;
    private readonly TimeSpan _pingInterval; // Zero: no pings.
    private readonly Action _ping;

    // What keeps every notification from being sent (logged at the first one), and what keeps only the pings from being sent.
    private string? _problem;
    private string? _watchdogProblem;

    private AioLoop? _loop;
    private AioTask? _main;
    private bool _ready;
    private bool _stopping;
    private bool _off;
    private bool _droppedWarned;

    private SystemdNotifier(string socketName, string? watchdogUsec, string? watchdogPid, int processId)
    {
        _socketName = socketName;
        _ping = Ping;
        _problem = ParseAddress(socketName, out UnixDomainSocketEndPoint? endPoint);
        if (endPoint is not null)
        {
            try
            {
                _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
                {
                    SendTimeout = (int)s_sendTimeout.TotalMilliseconds,
                };
                _address = endPoint.Serialize();
            }
            catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException)
            {
                _problem = $"{SocketVariable}='{socketName}': this system has no Unix datagram sockets ({ex.Message})";
            }
        }

        _watchdogProblem = ParseWatchdog(watchdogUsec, watchdogPid, processId, out _pingInterval);
    }

    /// <summary>The notifier of the running program, for <c>Aio.NotifyReady()</c>; <see langword="null"/> where there is none.</summary>
    public static SystemdNotifier? Current => Volatile.Read(ref s_current);

    /// <summary>
    /// The process's notifier, read from <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>, and made
    /// <see cref="Current"/>; <see langword="null"/>, and nothing allocated, when <c>NOTIFY_SOCKET</c> is unset or empty
    /// (not run by systemd, or told so).
    /// </summary>
    public static SystemdNotifier? FromEnvironment()
    {
        string? socketName = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(socketName))
        {
            return null;
        }

        SystemdNotifier notifier = Create(
            socketName,
            Environment.GetEnvironmentVariable(WatchdogUsecVariable),
            Environment.GetEnvironmentVariable(WatchdogPidVariable),
            Environment.ProcessId);
        Volatile.Write(ref s_current, notifier);
        return notifier;
    }

    /// <summary>A notifier for explicit settings (the tests' way in); it is not made <see cref="Current"/>.</summary>
    public static SystemdNotifier Create(string socketName, string? watchdogUsec, string? watchdogPid, int processId) =>
        new(socketName, watchdogUsec, watchdogPid, processId);

    /// <summary>The interval of the <c>WATCHDOG=1</c> pings: half of <c>WATCHDOG_USEC</c>; zero when there are none.</summary>
    public TimeSpan PingInterval => _pingInterval;

    /// <summary>
    /// The program runs on <paramref name="loop"/>: warnings go to its logger, the pings run on it (until it closes), and
    /// <c>READY=1</c> is sent in its first turn, or, when <see cref="ReadyWhenDone"/> named a main task by then, when that
    /// task is done.
    /// </summary>
    public void UseLoop(AioLoop loop)
    {
        Volatile.Write(ref _loop, loop);
        loop.CallSoonThreadsafe(OnFirstTurn);
        if (WatchdogUsable())
        {
            loop.CallLater(_pingInterval, _ping);
        }
    }

    /// <summary><c>READY=1</c> waits for <paramref name="main"/> to be done (unless <see cref="NotifyReady"/> comes first).</summary>
    public void ReadyWhenDone(AioTask main) => Volatile.Write(ref _main, main);

    /// <summary>Sends <c>READY=1</c>, once; not after the shutdown started. Any thread.</summary>
    public void NotifyReady()
    {
        lock (_gate)
        {
            if (_ready || _stopping)
            {
                return;
            }

            _ready = true;
            Send("READY=1");
        }
    }

    /// <summary>Sends <c>STOPPING=1</c>, once. Any thread (the first signal's, too).</summary>
    public void NotifyStopping()
    {
        lock (_gate)
        {
            SendStoppingOnce();
        }
    }

    /// <summary>Sends <c>STATUS=<paramref name="line"/></c> for a shutdown phase, after <c>STOPPING=1</c> if that was not sent yet.</summary>
    public void NotifyPhase(string line)
    {
        lock (_gate)
        {
            SendStoppingOnce();
            Send("STATUS=" + line);
        }
    }

    /// <summary>Closes the socket; nothing is sent any more.</summary>
    public void Dispose()
    {
        Interlocked.CompareExchange(ref s_current, null, this);
        lock (_gate)
        {
            _off = true;
            _socket?.Dispose();
        }
    }

    private void OnFirstTurn()
    {
        AioTask? main = Volatile.Read(ref _main);
        if (main is null || main.IsDone)
        {
            NotifyReady();
        }
        else
        {
            // A continuation on the loop, not an await: it does not observe Main's outcome, so a failure of Main still
            // reaches the exception handler as one nobody awaited.
            main.OnCompleted(NotifyReady);
        }
    }

    private void Ping()
    {
        lock (_gate)
        {
            Send("WATCHDOG=1");
            if (_off)
            {
                return;
            }
        }

        // Re-armed from the loop thread after each ping: a loop that stalls stops pinging, and systemd restarts the service.
        Volatile.Read(ref _loop)!.CallLater(_pingInterval, _ping);
    }

    private void SendStoppingOnce()
    {
        if (_stopping)
        {
            return;
        }

        if (!_ready && Volatile.Read(ref _main) is { IsDone: true })
        {
            // Main finished in the turn that stopped the loop: its continuation, a turn later, would come after STOPPING.
            _ready = true;
            Send("READY=1");
        }

        _stopping = true;
        Send("STOPPING=1");
    }

    /// <summary>Whether the pings can be sent; logs the reason they cannot, the first time it is found.</summary>
    private bool WatchdogUsable()
    {
        lock (_gate)
        {
            if (_off || (_pingInterval == TimeSpan.Zero && _watchdogProblem is null))
            {
                return false;
            }

            if (_problem is not null)
            {
                TurnOff(_problem);
                return false;
            }

            if (_watchdogProblem is not null)
            {
                Log.SystemdWatchdogOff(Logger, _watchdogProblem);
                _watchdogProblem = null;
                return false;
            }

            return true;
        }
    }

    // Under _gate.
    private void Send(string message)
    {
        if (_off)
        {
            return;
        }

        if (_problem is not null)
        {
            TurnOff(_problem);
            return;
        }

        try
        {
            int length = Encoding.UTF8.GetByteCount(message);
            Span<byte> datagram = length <= 256 ? stackalloc byte[length] : new byte[length];
            Encoding.UTF8.GetBytes(message, datagram);
            _socket!.SendTo(datagram, SocketFlags.None, _address!);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.TimedOut)
        {
            // systemd did not take the datagram in time (its queue is full): this one is lost, later ones may pass.
            if (!_droppedWarned)
            {
                _droppedWarned = true;
                Log.SystemdNotificationDropped(Logger, message, _socketName, s_sendTimeout.TotalSeconds);
            }
        }
        catch (SocketException ex)
        {
            TurnOff($"could not send '{message}' to {SocketVariable}='{_socketName}': {Describe(ex)}");
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the program on another thread: nothing is sent any more.
            _off = true;
        }
    }

    /// <summary>What a failed send means, in sd_notify's terms (.NET reports ENOENT as "Cannot assign requested address").</summary>
    private static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable => "there is no socket at that address (ENOENT)",
        SocketError.ConnectionRefused => "nothing receives on that socket (ECONNREFUSED)",
        SocketError.AccessDenied => "this process may not write to that socket (EACCES)",
        _ => $"{error.Message} ({error.SocketErrorCode})",
    };

    private void TurnOff(string problem)
    {
        _off = true;
        _problem = null;
        Log.SystemdNotificationsOff(Logger, problem);
    }

    private ILogger Logger => Volatile.Read(ref _loop)?.Logger ?? AioLogging.DefaultLogger;

    /// <summary>
    /// sd_notify's rules: an absolute path, or <c>@name</c> for the abstract socket <c>name</c> (the <c>@</c> stands for the
    /// leading NUL byte of its address).
    /// </summary>
    /// <returns>What is wrong with <paramref name="socketName"/>, or <see langword="null"/>.</returns>
    private static string? ParseAddress(string socketName, out UnixDomainSocketEndPoint? endPoint)
    {
        endPoint = null;
        string path;
        if (socketName.Length == 0)
        {
            return $"{SocketVariable} is empty";
        }

        if (socketName[0] == '@')
        {
            if (socketName.Length == 1)
            {
                return $"{SocketVariable}='@' names no abstract socket (nothing follows the '@')";
            }

            path = "\0" + socketName.Substring(1);
        }
        else if (socketName[0] == '/')
        {
            path = socketName;
        }
        else
        {
            return $"{SocketVariable}='{socketName}' is neither an absolute path nor an abstract socket name ('@name')";
        }

        try
        {
            endPoint = new UnixDomainSocketEndPoint(path);
            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return $"{SocketVariable}='{socketName}' is too long for a Unix socket address";
        }
        catch (Exception ex) when (ex is ArgumentException or PlatformNotSupportedException)
        {
            return $"{SocketVariable}='{socketName}' is not a Unix socket address this system takes ({ex.Message})";
        }
    }

    /// <summary>sd_watchdog_enabled's rules: a positive number of microseconds, for this process if <c>WATCHDOG_PID</c> names one.</summary>
    /// <returns>What is wrong with the settings, or <see langword="null"/> (with <paramref name="interval"/> zero when there is no watchdog).</returns>
    private static string? ParseWatchdog(string? watchdogUsec, string? watchdogPid, int processId, out TimeSpan interval)
    {
        interval = TimeSpan.Zero;
        if (string.IsNullOrEmpty(watchdogUsec))
        {
            return null;
        }

        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong microseconds) || microseconds is 0 or ulong.MaxValue)
        {
            return $"{WatchdogUsecVariable}='{watchdogUsec}' is not a positive number of microseconds";
        }

        if (!string.IsNullOrEmpty(watchdogPid))
        {
            if (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            {
                return $"{WatchdogPidVariable}='{watchdogPid}' is not a process id";
            }

            if (pid != processId)
            {
                // The watchdog is another process's (one that started us and passed its environment on): not ours to ping.
                return null;
            }
        }

        // Pings at half the period, as sd_watchdog_enabled advises; a period beyond TimeSpan's range pings about never.
        ulong halfTicks = Math.Min(microseconds / 2, (ulong)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)) * (ulong)TimeSpan.TicksPerMicrosecond;
        interval = TimeSpan.FromTicks(Math.Max((long)halfTicks, 1));
        return null;
    }
}

// The systemd notifier's warnings.
internal static partial class Log
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "systemd notifications are off: {Problem}. The program goes on without them.")]
    public static partial void SystemdNotificationsOff(ILogger logger, string problem);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "systemd watchdog pings are off: {Problem}. The program goes on without WATCHDOG=1.")]
    public static partial void SystemdWatchdogOff(ILogger logger, string problem);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning,
        Message = "systemd did not take '{Notification}' on {SocketName} within {TimeoutSeconds} s (its queue is full); it was dropped. Later drops are not logged.")]
    public static partial void SystemdNotificationDropped(ILogger logger, string notification, string socketName, double timeoutSeconds);
}
