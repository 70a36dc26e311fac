using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AioRun.Tests.Process;

/// <summary>
/// A real child process for the signal tests: started with <see cref="System.Diagnostics.Process.Start(ProcessStartInfo)"/>,
/// its stdout and stderr collected line by line, signalled with kill(2). Tests synchronise on lines the
/// child prints (with a generous timeout), never on sleeps.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _stdout = new();
    private readonly List<string> _stderr = new();
    private readonly List<string> _all = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.StandardOutputEncoding = Encoding.UTF8;
        info.StandardErrorEncoding = Encoding.UTF8;
        _process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdout, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderr, _stderrClosed);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>Starts a .NET program (a .dll) with <c>dotnet</c>, so the same muxer as the tests runs it.</summary>
    public static ChildProcess StartDotnet(string dllPath, params string[] args) =>
        StartDotnet(dllPath, new Dictionary<string, string?>(), args);

    /// <summary>
    /// Starts a .NET program with changes to its environment (a <see langword="null"/> value removes the variable) and its
    /// standard input open for <see cref="WriteLine"/>.
    /// </summary>
    public static ChildProcess StartDotnet(string dllPath, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        ResetInheritedSignalDispositions();
        var info = new ProcessStartInfo(DotnetHost()) { WorkingDirectory = Path.GetDirectoryName(dllPath)!, RedirectStandardInput = true };
        info.ArgumentList.Add(dllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return new ChildProcess(info);
    }

    /// <summary>
    /// Starts a .NET program with its stderr merged into its stdout (one pipe, through <c>sh -c 'exec ... 2&gt;&amp;1'</c>,
    /// so the pid is the program's own): the order of lines across the two streams is then the order the program
    /// wrote them in. (On Windows the streams stay apart; <see cref="AllLines"/> then interleaves them as they arrive.)
    /// </summary>
    public static ChildProcess StartDotnetMerged(string dllPath, params string[] args)
    {
        if (OperatingSystem.IsWindows())
        {
            return StartDotnet(dllPath, args);
        }

        ResetInheritedSignalDispositions();
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = Path.GetDirectoryName(dllPath)! };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" 2>&1");
        info.ArgumentList.Add(DotnetHost());
        info.ArgumentList.Add(dllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ChildProcess(info);
    }

    /// <summary>
    /// Starts a .NET program with its standard error sent to <paramref name="stderrPath"/> (e.g. <c>/dev/full</c>, where
    /// every write fails), through <c>sh -c 'exec ... 2&gt;path'</c> so that the pid is the program's own.
    /// </summary>
    public static ChildProcess StartDotnetWithStandardErrorTo(string stderrPath, IReadOnlyDictionary<string, string> environment, string dllPath, params string[] args) =>
        StartDotnetRedirected("2>\"$target\"", stderrPath, environment, dllPath, args);

    /// <summary>
    /// Starts a .NET program with its standard output and standard error both sent to the file <paramref name="path"/>
    /// (<c>sh -c 'exec ... &gt;path 2&gt;&amp;1'</c>, one open file shared by the two descriptors, as a service's log file is).
    /// </summary>
    public static ChildProcess StartDotnetWithOutputTo(string path, string dllPath, params string[] args) =>
        StartDotnetRedirected(">\"$target\" 2>&1", path, new Dictionary<string, string>(), dllPath, args);

    /// <summary>The program, through <c>sh -c 'exec ... &lt;redirections&gt;'</c> (the pid is still the program's own), <c>$target</c> being <paramref name="target"/>.</summary>
    private static ChildProcess StartDotnetRedirected(string redirections, string target, IReadOnlyDictionary<string, string> environment, string dllPath, string[] args)
    {
        ResetInheritedSignalDispositions();
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = Path.GetDirectoryName(dllPath)! };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("target=\"$1\"; shift; exec \"$0\" \"$@\" " + redirections);
        info.ArgumentList.Add(DotnetHost());
        info.ArgumentList.Add(target);
        info.ArgumentList.Add(dllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        return new ChildProcess(info);
    }

    /// <summary>Starts any program.</summary>
    public static ChildProcess Start(ProcessStartInfo info)
    {
        ResetInheritedSignalDispositions();
        return new ChildProcess(info);
    }

    public IReadOnlyList<string> Stdout { get { lock (_gate) { return _stdout.ToArray(); } } }

    public IReadOnlyList<string> Stderr { get { lock (_gate) { return _stderr.ToArray(); } } }

    /// <summary>Both streams, interleaved in the order the lines arrived (per stream the order is exact).</summary>
    public IReadOnlyList<string> AllLines { get { lock (_gate) { return _all.ToArray(); } } }

    public string Transcript => string.Join(Environment.NewLine, AllLines);

    /// <summary>Waits until the child printed <paramref name="line"/> (on either stream).</summary>
    public void WaitForLine(string line, TimeSpan? timeout = null) => WaitForLines(l => l == line, 1, $"'{line}'", timeout);

    /// <summary>Waits until the child printed <paramref name="count"/> lines that match (on either stream); returns them.</summary>
    public IReadOnlyList<string> WaitForLines(Func<string, bool> match, int count, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        lock (_gate)
        {
            while (true)
            {
                List<string> found = _all.Where(match).ToList();
                if (found.Count >= count)
                {
                    return found;
                }

                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted))
                {
                    throw new TimeoutException($"The child never printed {count} × {description}. It printed:{Environment.NewLine}{string.Join(Environment.NewLine, _all)}");
                }

                Monitor.Wait(_gate, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Writes <paramref name="line"/> to the child's standard input (started by the overload that opens it).</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void Signal(PosixSignal signal)
    {
        int number = signal switch
        {
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGQUIT => 3,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentOutOfRangeException(nameof(signal)),
        };
        if (kill(_process.Id, number) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {number}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Sends SIGUSR1 (10 on Linux, 30 on macOS and the BSDs), which asks an AioRun program for its task report.</summary>
    public void SignalReport()
    {
        int number = OperatingSystem.IsLinux() ? 10 : 30;
        if (kill(_process.Id, number) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGUSR1) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the child to exit and for its output to be read to the end; returns the exit code.</summary>
    public int WaitForExit(TimeSpan? timeout = null)
    {
        if (!_process.WaitForExit(timeout ?? Generous))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child did not exit. It printed:{Environment.NewLine}{Transcript}");
        }

        Task.WaitAll(new Task[] { _stdoutClosed.Task, _stderrClosed.Task }, Generous);
        return _process.ExitCode;
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
        }

        _process.Dispose();
    }

    private void OnLine(string? line, List<string> stream, TaskCompletionSource closed)
    {
        lock (_gate)
        {
            if (line is null)
            {
                closed.TrySetResult();
            }
            else
            {
                stream.Add(line);
                _all.Add(line);
            }

            Monitor.PulseAll(_gate);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// A shell's background job runs with SIGINT ignored, and an ignored signal stays ignored in children
    /// (.NET then does not handle it either). Children of the tests must get the default disposition.
    /// </summary>
    private static void ResetInheritedSignalDispositions()
    {
        if (!OperatingSystem.IsWindows())
        {
            foreach (int number in new[] { 2, 3 }) // SIGINT, SIGQUIT
            {
                // Only an ignored disposition is replaced (by SIG_DFL); any other is put back as it was.
                IntPtr previous = signal(number, SigDfl);
                if (previous != SigIgn)
                {
                    signal(number, previous);
                }
            }
        }
    }

    private static readonly IntPtr SigDfl = IntPtr.Zero;
    private static readonly IntPtr SigIgn = new(1);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern IntPtr signal(int signum, IntPtr handler);
}
