using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AioRun.Benchmarks.Peers;

/// <summary>
/// Whole processes side by side in one run, as a user sees them:
/// <c>dotnet run -c Release --project AioRun.Benchmarks -- peers [--runs N] [--start-runs N] [--settle-ms N] [--no-python] [--no-native]</c>.
/// AioRun's subject apps (<c>subjects/</c>, JIT and NativeAOT) against Python's aiorun (<c>python/aiorun_sleepers.py</c>)
/// and a plain console app: SIGTERM → the first lifecycle line and → exit with N sleeping tasks, start → exit of an
/// empty app, and bytes per sleeping task. Progress goes to stderr, the table and the targets to stdout.
/// </summary>
public static class PeerBenchmarks
{
    private const int SigTerm = 15;
    private const string FirstLine = "Stopping the loop";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly int[] TaskCounts = [10_000, 100_000];

    /// <summary>Runs the suite.</summary>
    /// <param name="args">Options.</param>
    /// <returns>0, or 2 for bad options.</returns>
    public static int Run(string[] args)
    {
        int signalRuns = 7;
        int startRuns = 21;
        bool python = true;
        bool native = true;
        int settleMs = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length:
                    signalRuns = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--start-runs" when i + 1 < args.Length:
                    startRuns = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--settle-ms" when i + 1 < args.Length:
                    // A measurement condition, not a synchronisation: the subject has printed its ready line; this lets
                    // the start's background work (the JIT's tiering, the metrics' setup) end before the signal, as for a
                    // service signalled long after it started. 0 (the default) signals at the ready line.
                    settleMs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--no-python":
                    python = false;
                    break;
                case "--no-native":
                    native = false;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown option '{args[i]}'. Use --runs N, --start-runs N, --settle-ms N, --no-python, --no-native.");
                    return 2;
            }
        }

        string loadBefore = LoadAverage();
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine("Running the peers benchmark (progress on stderr, figures on stdout)...");
        var sleepers = new Dictionary<string, string[]>
        {
            ["AioRun (JIT)"] = [Subjects.Executable(Subjects.Sleepers, native: false)],
        };
        if (native)
        {
            sleepers["AioRun (NativeAOT)"] = [Subjects.Executable(Subjects.Sleepers, native: true)];
        }

        // The floor: the runtime's own signal handling and one line, without AioRun (it takes no task count).
        sleepers["floor: PosixSignalRegistration + 1 line (JIT)"] = [Subjects.Executable(Subjects.SignalFloor, native: false)];
        string pythonExe = Environment.GetEnvironmentVariable("PYTHON") is { Length: > 0 } configured ? configured : "python3";
        string peerFolder = Environment.GetEnvironmentVariable("AIORUN_PEERS") is { Length: > 0 } peers
            ? peers
            : Path.GetFullPath(Path.Combine(Subjects.Root, "..", "shared", "peers"));
        string script = Path.Combine(AppContext.BaseDirectory, "python", "aiorun_sleepers.py");
        var pythonEnvironment = new Dictionary<string, string> { ["PYTHONPATH"] = peerFolder };
        string? pythonVersion = null;
        if (python)
        {
            pythonVersion = PythonVersion(pythonExe);
            sleepers[$"aiorun 2025.1.1 ({pythonVersion})"] = [pythonExe, script];
        }

        var table = new List<Row>();
        var targets = new List<Target>();
        var shutdowns = new Dictionary<(string Subject, int Tasks), Shutdown>();
        foreach (int tasks in TaskCounts)
        {
            int runs = tasks >= 100_000 ? Math.Max(3, (signalRuns * 5 + 6) / 7) : signalRuns;
            var firstLine = sleepers.Keys.ToDictionary(k => k, _ => new List<double>());
            var exit = sleepers.Keys.ToDictionary(k => k, _ => new List<double>());
            for (int run = 0; run < runs; run++)
            {
                // Interleaved, so that whatever else the machine does meanwhile falls on every subject alike.
                foreach ((string subject, string[] command) in sleepers)
                {
                    Console.Error.Write($"  SIGTERM, {tasks:N0} sleeping tasks / {subject}, run {run + 1}/{runs} ...");
                    (double first, double exited) = SignalRun(command, tasks, subject.StartsWith("aiorun", StringComparison.Ordinal) ? pythonEnvironment : null, settleMs);
                    firstLine[subject].Add(first);
                    exit[subject].Add(exited);
                    Console.Error.WriteLine($" {first:F2} ms to the first line, {exited:F1} ms to exit");
                }
            }

            foreach (string subject in sleepers.Keys)
            {
                shutdowns[(subject, tasks)] = new Shutdown(firstLine[subject].ToArray(), exit[subject].ToArray());
            }
        }

        foreach (int tasks in TaskCounts)
        {
            foreach (string subject in sleepers.Keys)
            {
                Shutdown s = shutdowns[(subject, tasks)];
                table.Add(new Row($"SIGTERM → '{FirstLine}', {tasks:N0} sleeping tasks", subject, s.FirstLine, "ms"));
            }
        }

        foreach (int tasks in TaskCounts)
        {
            foreach (string subject in sleepers.Keys)
            {
                Shutdown s = shutdowns[(subject, tasks)];
                table.Add(new Row($"SIGTERM → exit, {tasks:N0} sleeping tasks", subject, s.Exit, "ms"));
            }
        }

        string jit = "AioRun (JIT)";
        string? peer = sleepers.Keys.FirstOrDefault(k => k.StartsWith("aiorun", StringComparison.Ordinal));
        double aioFirst = Median(shutdowns[(jit, 10_000)].FirstLine);
        double floorFirst = Median(shutdowns[("floor: PosixSignalRegistration + 1 line (JIT)", 10_000)].FirstLine);
        targets.Add(new Target("SIGTERM → first lifecycle line (JIT, 10,000 tasks) ≤ 1 ms", $"{aioFirst:F2} ms (the runtime's own floor: {floorFirst:F2} ms)", aioFirst <= 1.0));
        if (native)
        {
            double nativeFirst = Median(shutdowns[("AioRun (NativeAOT)", 10_000)].FirstLine);
            targets.Add(new Target("SIGTERM → first lifecycle line (NativeAOT, 10,000 tasks) ≤ 1 ms", $"{nativeFirst:F2} ms", nativeFirst <= 1.0));
        }

        if (peer is not null)
        {
            foreach ((int tasks, double factor) in new[] { (10_000, 2.0), (100_000, 3.0) })
            {
                double ours = Median(shutdowns[(jit, tasks)].Exit);
                double theirs = Median(shutdowns[(peer, tasks)].Exit);
                targets.Add(new Target(
                    $"SIGTERM → exit, {tasks:N0} tasks (JIT): ≥ {factor:F0}× faster than aiorun",
                    $"{theirs / ours:F2}× ({ours:F1} ms vs {theirs:F1} ms)",
                    theirs / ours >= factor));
            }
        }

        // Bytes per sleeping task: measured inside each subject (AioRun: the loop thread's allocations and the live
        // heap after a full GC; asyncio: tracemalloc), 100,000 tasks.
        const int memoryTasks = 100_000;
        Console.Error.Write($"  bytes per sleeping task / AioRun (JIT) ...");
        (double aioAllocated, double aioLive) = MemoryRun(sleepers[jit], memoryTasks, null);
        Console.Error.WriteLine($" {aioAllocated:F0} B allocated, {aioLive:F0} B live");
        table.Add(new Row($"bytes allocated per sleeping task ({memoryTasks:N0})", jit, [aioAllocated], "B"));
        table.Add(new Row($"live bytes per sleeping task after a full GC ({memoryTasks:N0})", jit, [aioLive], "B"));
        if (peer is not null)
        {
            Console.Error.Write($"  bytes per sleeping task / asyncio (tracemalloc) ...");
            (double pyPeak, double pyLive) = MemoryRun(sleepers[peer], memoryTasks, pythonEnvironment);
            Console.Error.WriteLine($" {pyPeak:F0} B peak, {pyLive:F0} B live");
            string asyncio = $"asyncio, tracemalloc ({pythonVersion})";
            table.Add(new Row($"bytes allocated per sleeping task ({memoryTasks:N0})", asyncio + ", peak", [pyPeak], "B"));
            table.Add(new Row($"live bytes per sleeping task after a full GC ({memoryTasks:N0})", asyncio, [pyLive], "B"));
            targets.Add(new Target(
                "bytes allocated per sleeping task ≤ half of asyncio's",
                $"{aioAllocated:F0} B vs {pyLive:F0} B ({aioAllocated / pyLive:P0}; live {aioLive:F0} B)",
                aioAllocated <= pyLive / 2));
        }

        // Start → exit of an empty app against a plain console app, JIT and NativeAOT.
        var starters = new List<(string Scenario, string Subject, string Executable)>
        {
            ("start → exit, empty app (JIT)", "plain console app", Subjects.Executable(Subjects.PlainConsole, native: false)),
            ("start → exit, empty app (JIT)", "[AioRunEntry] that stops at once", Subjects.Executable(Subjects.EmptyEntry, native: false)),
        };
        if (native)
        {
            starters.Add(("start → exit, empty app (NativeAOT)", "plain console app", Subjects.Executable(Subjects.PlainConsole, native: true)));
            starters.Add(("start → exit, empty app (NativeAOT)", "[AioRunEntry] that stops at once", Subjects.Executable(Subjects.EmptyEntry, native: true)));
        }

        var startTimes = starters.Select(_ => new List<double>()).ToArray();
        Console.Error.Write($"  start → exit, {startRuns} runs of {starters.Count} apps ...");
        for (int run = -2; run < startRuns; run++)
        {
            for (int i = 0; i < starters.Count; i++)
            {
                double ms = StartRun(starters[i].Executable);
                if (run >= 0)
                {
                    startTimes[i].Add(ms); // the first two runs only warm the file cache
                }
            }
        }

        Console.Error.WriteLine(" done");
        for (int i = 0; i < starters.Count; i++)
        {
            table.Add(new Row(starters[i].Scenario, starters[i].Subject, startTimes[i].ToArray(), "ms"));
        }

        double plainJit = Median(startTimes[0]);
        double emptyJit = Median(startTimes[1]);
        targets.Add(new Target("start → exit, empty app (JIT) ≤ plain console + 5 ms", $"+{emptyJit - plainJit:F1} ms ({emptyJit:F1} ms vs {plainJit:F1} ms)", emptyJit <= plainJit + 5));
        if (native)
        {
            double plainNative = Median(startTimes[2]);
            double emptyNative = Median(startTimes[3]);
            targets.Add(new Target("start → exit, empty app (NativeAOT) ≤ 1.2× plain console", $"{emptyNative / plainNative:F2}× ({emptyNative:F2} ms vs {plainNative:F2} ms)", emptyNative <= plainNative * 1.2));
        }

        Print(table, targets, loadBefore, clock.Elapsed, signalRuns, startRuns, settleMs);
        return 0;
    }

    /// <summary>Starts a sleepers subject, waits for its ready line, sends SIGTERM; the times to the first lifecycle line and to exit.</summary>
    private static (double FirstLine, double Exit) SignalRun(string[] command, int tasks, IReadOnlyDictionary<string, string>? environment, int settleMs)
    {
        using Child child = Child.Start(command[0], [.. command[1..], tasks.ToString(CultureInfo.InvariantCulture)], environment);
        child.WaitForStdout("ready", Timeout);
        if (settleMs > 0)
        {
            Thread.Sleep(settleMs);
        }

        long sent = child.Signal(SigTerm);
        Child.Line first = child.WaitForStderr(FirstLine, Timeout);
        long exited = child.WaitForExit(Timeout);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command[^1]} exited with {child.ExitCode} after SIGTERM:{Environment.NewLine}{child.StderrSoFar}");
        }

        return (Stopwatch.GetElapsedTime(sent, first.At).TotalMilliseconds, Stopwatch.GetElapsedTime(sent, exited).TotalMilliseconds);
    }

    /// <summary>Starts a sleepers subject with --measure; its figures per task, from its ready line.</summary>
    private static (double Allocated, double Live) MemoryRun(string[] command, int tasks, IReadOnlyDictionary<string, string>? environment)
    {
        using Child child = Child.Start(command[0], [.. command[1..], tasks.ToString(CultureInfo.InvariantCulture), "--measure"], environment);
        string line = child.WaitForStdout("ready", Timeout).Text!;
        child.Signal(SigTerm);
        child.WaitForExit(Timeout);
        var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        return (fields["allocated_per_task"], fields["live_per_task"]);
    }

    /// <summary>Starts an app that ends by itself; the time from Process.Start to its exit.</summary>
    private static double StartRun(string executable)
    {
        using Child child = Child.Start(executable, []);
        long exited = child.WaitForExit(Timeout);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} exited with {child.ExitCode}:{Environment.NewLine}{child.StderrSoFar}");
        }

        return Stopwatch.GetElapsedTime(child.StartedAt, exited).TotalMilliseconds;
    }

    private static void Print(List<Row> table, List<Target> targets, string loadBefore, TimeSpan elapsed, int signalRuns, int startRuns, int settleMs)
    {
        Console.WriteLine();
        Console.WriteLine("AioRun peers benchmark: whole processes, side by side, interleaved");
        Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores");
        Console.WriteLine($"  SIGTERM runs: {signalRuns} per subject at 10,000 tasks, fewer at 100,000, signalled {(settleMs > 0 ? $"{settleMs} ms after" : "at")} the ready line; start runs: {startRuns} per app (after 2 to warm the file cache); medians and p90");
        Console.WriteLine($"  load average before: {loadBefore}; after: {LoadAverage()}; the run took {elapsed.TotalSeconds:F0} s");
        Console.WriteLine();
        const int scenarioWidth = 58;
        const int subjectWidth = 38;
        Console.WriteLine($"{"figure",-scenarioWidth} {"subject",-subjectWidth} {"median",10} {"p90",10} {"min",10}");
        string? last = null;
        foreach (Row row in table)
        {
            string scenario = row.Scenario == last ? string.Empty : row.Scenario;
            last = row.Scenario;
            Console.WriteLine($"{scenario,-scenarioWidth} {row.Subject,-subjectWidth} {Format(Median(row.Values), row.Unit),10} {Format(Percentile(row.Values, 0.9), row.Unit),10} {Format(row.Values.Min(), row.Unit),10}");
        }

        Console.WriteLine();
        Console.WriteLine("Targets");
        foreach (Target target in targets)
        {
            Console.WriteLine($"  [{(target.Met ? "met" : "MISSED")}] {target.Name}: {target.Figure}");
        }

        static string Format(double value, string unit) => unit == "B" ? $"{value:F0} B" : value < 10 ? $"{value:F2} ms" : $"{value:F1} ms";
    }

    private static string PythonVersion(string python)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import platform; print(platform.python_implementation() + ' ' + platform.python_version())");
        using Process process = Process.Start(info)!;
        string version = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return version;
    }

    private static double Median(IReadOnlyCollection<double> values) => Percentile(values, 0.5);

    private static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        double[] sorted = values.Order().ToArray();
        double rank = p * (sorted.Length - 1);
        int low = (int)Math.Floor(rank);
        int high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private sealed record Row(string Scenario, string Subject, double[] Values, string Unit);

    private sealed record Target(string Name, string Figure, bool Met);

    private sealed record Shutdown(double[] FirstLine, double[] Exit);
}
