using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AioRun.Benchmarks.Peers;

/// <summary>
/// A subject running as a real process. Standard output and error are read line by line on dedicated threads, each
/// line stamped (<see cref="Stopwatch.GetTimestamp"/>) as it arrives, so that waiting for a line measures when the child
/// wrote it rather than when a thread-pool callback got round to it.
/// </summary>
internal sealed class Child : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<Line> _stdout = new();
    private readonly BlockingCollection<Line> _stderr = new();
    private readonly List<string> _stderrSeen = new();
    private readonly Thread _exitWaiter;
    private long _exitedAt;

    private Child(Process process, long startedAt)
    {
        _process = process;
        StartedAt = startedAt;
        StartReader(process.StandardOutput, _stdout, "stdout");
        StartReader(process.StandardError, _stderr, "stderr");
        _exitWaiter = new Thread(() =>
        {
            _process.WaitForExit();
            Volatile.Write(ref _exitedAt, Stopwatch.GetTimestamp());
        })
        { IsBackground = true, Name = "exit waiter" };
        _exitWaiter.Start();
    }

    /// <summary>When <see cref="Process.Start()"/> was called.</summary>
    public long StartedAt { get; }

    /// <summary>The exit code, once the child exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything read from standard error so far (for error messages).</summary>
    public string StderrSoFar
    {
        get
        {
            lock (_stderrSeen)
            {
                return string.Join(Environment.NewLine, _stderrSeen);
            }
        }
    }

    public static Child Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        long startedAt = Stopwatch.GetTimestamp();
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        return new Child(process, startedAt);
    }

    /// <summary>Waits for a line on standard output that starts with <paramref name="prefix"/>.</summary>
    public Line WaitForStdout(string prefix, TimeSpan timeout) => WaitFor(_stdout, line => line.StartsWith(prefix, StringComparison.Ordinal), timeout, "standard output", prefix);

    /// <summary>Waits for a line on standard error that contains <paramref name="text"/>.</summary>
    public Line WaitForStderr(string text, TimeSpan timeout) => WaitFor(_stderr, line => line.Contains(text, StringComparison.Ordinal), timeout, "standard error", text);

    /// <summary>Sends <paramref name="signal"/> with libc's kill and returns when it was sent.</summary>
    public long Signal(int signal)
    {
        long sentAt = Stopwatch.GetTimestamp();
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return sentAt;
    }

    /// <summary>Waits until the child exited; returns when it did.</summary>
    public long WaitForExit(TimeSpan timeout)
    {
        if (!_exitWaiter.Join(timeout))
        {
            throw new TimeoutException($"the child did not exit within {timeout.TotalSeconds:F0} s; standard error:{Environment.NewLine}{StderrSoFar}");
        }

        return Volatile.Read(ref _exitedAt);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private Line WaitFor(BlockingCollection<Line> lines, Func<string, bool> match, TimeSpan timeout, string stream, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            TimeSpan left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !lines.TryTake(out Line line, left))
            {
                throw new TimeoutException($"no line with '{what}' on {stream} within {timeout.TotalSeconds:F0} s; standard error:{Environment.NewLine}{StderrSoFar}");
            }

            if (line.Text is null)
            {
                throw new InvalidOperationException($"{stream} ended without a line with '{what}'; standard error:{Environment.NewLine}{StderrSoFar}");
            }

            if (match(line.Text))
            {
                return line;
            }
        }
    }

    private void StartReader(StreamReader reader, BlockingCollection<Line> lines, string name)
    {
        var thread = new Thread(() =>
        {
            while (reader.ReadLine() is { } text)
            {
                long at = Stopwatch.GetTimestamp();
                if (ReferenceEquals(lines, _stderr))
                {
                    lock (_stderrSeen)
                    {
                        _stderrSeen.Add(text);
                    }
                }

                lines.Add(new Line(text, at));
            }

            lines.Add(new Line(null, Stopwatch.GetTimestamp())); // the end of the stream
        })
        { IsBackground = true, Name = name + " reader" };
        thread.Start();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>A line and when it was read; <see langword="null"/> text for the end of the stream.</summary>
    public readonly record struct Line(string? Text, long At);
}
