using System.Diagnostics;

namespace AioRun.Benchmarks.Runtime;

/// <summary>What one run of a benchmark body measured: its wall time and the bytes it allocated, for <see cref="Ops"/> operations.</summary>
/// <remarks><see cref="CpuNs"/> is the measuring thread's CPU time, for single-threaded bodies only (else NaN).</remarks>
internal readonly record struct Sample(long Ops, TimeSpan Elapsed, long Bytes, double CpuNs = double.NaN)
{
    public double NsPerOp => Elapsed.TotalNanoseconds / Ops;

    public double CpuNsPerOp => CpuNs / Ops;

    public double BytesPerOp => (double)Bytes / Ops;

    /// <summary>Times <paramref name="body"/> and counts what the current thread allocates meanwhile.</summary>
    public static Sample OnThisThread(long ops, Action body)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        double cpu = ThreadCpuTime.Now();
        long start = Stopwatch.GetTimestamp();
        body();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new Sample(ops, elapsed, GC.GetAllocatedBytesForCurrentThread() - bytes, ThreadCpuTime.Now() - cpu);
    }

    /// <summary>
    /// Times a single-threaded <paramref name="body"/> whose bookkeeping might leave the thread: counts every
    /// thread's allocations, and this thread's CPU time.
    /// </summary>
    public static Sample OnThisThreadCountingAllAllocations(long ops, Action body)
    {
        long bytes = GC.GetTotalAllocatedBytes(precise: true);
        double cpu = ThreadCpuTime.Now();
        long start = Stopwatch.GetTimestamp();
        body();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new Sample(ops, elapsed, GC.GetTotalAllocatedBytes(precise: true) - bytes, ThreadCpuTime.Now() - cpu);
    }

    /// <summary>Times <paramref name="body"/> and counts what every thread allocates meanwhile (cross-thread benchmarks).</summary>
    public static Sample AllThreads(long ops, Action body)
    {
        long bytes = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        body();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new Sample(ops, elapsed, GC.GetTotalAllocatedBytes(precise: true) - bytes);
    }
}

/// <summary>The figure of one subject in one scenario: medians over the measured iterations.</summary>
internal sealed record Result(string Scenario, string Subject, long OpsPerIteration, double[] NsPerOp, double[] BytesPerOp, double[] CpuNsPerOp)
{
    /// <summary>Whether the figure that matters is the time of the whole iteration (a fixed workload), not the time per operation.</summary>
    public bool ReportsTotal { get; init; }

    public double MedianTotalMs => MedianNsPerOp * OpsPerIteration / 1e6;

    public bool Measured => OpsPerIteration > 0;

    public double MedianNsPerOp => Harness.Median(NsPerOp);

    public double OpsPerSecond => 1e9 / MedianNsPerOp;

    public double MedianBytesPerOp => Harness.Median(BytesPerOp);

    public double MedianCpuNsPerOp => Harness.Median(CpuNsPerOp);

    /// <summary>Half the distance between the fastest and the slowest iteration, relative to the median.</summary>
    public double Spread => (NsPerOp.Max() - NsPerOp.Min()) / 2 / MedianNsPerOp;
}

/// <summary>
/// A small timed harness: calibrate the operation count so an iteration lasts about
/// <see cref="Settings.IterationTime"/>, warm up (the JIT tiers up meanwhile), then measure
/// <see cref="Settings.Iterations"/> iterations after a full GC each, and keep the medians.
/// </summary>
internal sealed class Harness
{
    private readonly Settings _settings;
    private readonly List<Result> _results = new();

    public Harness(Settings settings) => _settings = settings;

    public IReadOnlyList<Result> Results => _results;

    public Settings Settings => _settings;

    /// <summary>Measures <paramref name="run"/>, which performs the given number of operations and says what it measured.</summary>
    public Result Measure(string scenario, string subject, Func<long, Sample> run, long initialOps = 1_000, long maxOps = 50_000_000)
    {
        if (!_settings.Selects(scenario, subject))
        {
            return new Result(scenario, subject, 0, [double.NaN], [double.NaN], [double.NaN]);
        }

        Console.Error.Write($"  {scenario} / {subject} ...");
        long ops = initialOps;
        Sample sample = run(ops);
        while (sample.Elapsed < _settings.IterationTime / 2 && ops < maxOps)
        {
            ops = Math.Min(maxOps, ops * 2);
            sample = run(ops);
        }

        var warmUp = Stopwatch.StartNew();
        do
        {
            run(ops);
        }
        while (warmUp.Elapsed < _settings.WarmUpTime);

        var ns = new double[_settings.Iterations];
        var bytes = new double[_settings.Iterations];
        var cpu = new double[_settings.Iterations];
        for (int i = 0; i < ns.Length; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            sample = run(ops);
            ns[i] = sample.NsPerOp;
            bytes[i] = sample.BytesPerOp;
            cpu[i] = sample.CpuNsPerOp;
        }

        var result = new Result(scenario, subject, ops, ns, bytes, cpu);
        _results.Add(result);
        Console.Error.WriteLine($" {result.MedianNsPerOp:F1} ns/op");
        return result;
    }

    /// <summary>
    /// Measures two variants of one benchmark for a ratio between them: one operation count (calibrated on the first),
    /// warm-up of both, then their iterations in alternation, so that drift of the machine and the JIT's tiering weigh on
    /// both alike. Each keeps its own figure; a subject the filter leaves out is not measured.
    /// </summary>
    public void MeasurePair(string scenario, (string Subject, Func<long, Sample> Run) first, (string Subject, Func<long, Sample> Run) second)
    {
        bool both = _settings.Selects(scenario, first.Subject) && _settings.Selects(scenario, second.Subject);
        if (!both)
        {
            Measure(scenario, first.Subject, first.Run);
            Measure(scenario, second.Subject, second.Run);
            return;
        }

        Console.Error.Write($"  {scenario} / {first.Subject} and {second.Subject}, alternating ...");
        long ops = 1_000;
        Sample sample = first.Run(ops);
        while (sample.Elapsed < _settings.IterationTime / 2 && ops < 50_000_000)
        {
            ops = Math.Min(50_000_000, ops * 2);
            sample = first.Run(ops);
        }

        var warmUp = Stopwatch.StartNew();
        do
        {
            first.Run(ops);
            second.Run(ops);
        }
        while (warmUp.Elapsed < 2 * _settings.WarmUpTime);

        var samples = new[] { new List<Sample>(), new List<Sample>() };
        for (int i = 0; i < _settings.Iterations; i++)
        {
            // Which goes first alternates too: neither always runs right after a GC.
            for (int k = 0; k < 2; k++)
            {
                int which = (i + k) % 2;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                samples[which].Add((which == 0 ? first.Run : second.Run)(ops));
            }
        }

        Result Of(string subject, List<Sample> taken) => new(
            scenario, subject, ops, taken.Select(s => s.NsPerOp).ToArray(), taken.Select(s => s.BytesPerOp).ToArray(), taken.Select(s => s.CpuNsPerOp).ToArray());
        Result a = Of(first.Subject, samples[0]);
        Result b = Of(second.Subject, samples[1]);
        _results.Add(a);
        _results.Add(b);
        Console.Error.WriteLine($" {a.MedianNsPerOp:F1} and {b.MedianNsPerOp:F1} ns/op");
    }

    /// <summary>Measures a benchmark that runs a fixed, large workload once per iteration (no calibration).</summary>
    public Result MeasureFixed(string scenario, string subject, long ops, Func<Sample> run, int warmUps = 1)
    {
        if (!_settings.Selects(scenario, subject))
        {
            return new Result(scenario, subject, 0, [double.NaN], [double.NaN], [double.NaN]);
        }

        Console.Error.Write($"  {scenario} / {subject} ...");
        for (int i = 0; i < warmUps; i++)
        {
            run();
        }

        int iterations = Math.Max(3, _settings.Iterations / 2);
        var ns = new double[iterations];
        var bytes = new double[iterations];
        var cpu = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Sample sample = run();
            ns[i] = sample.NsPerOp;
            bytes[i] = sample.BytesPerOp;
            cpu[i] = sample.CpuNsPerOp;
        }

        var result = new Result(scenario, subject, ops, ns, bytes, cpu) { ReportsTotal = true };
        _results.Add(result);
        Console.Error.WriteLine($" {result.MedianTotalMs:F1} ms");
        return result;
    }

    /// <summary>Adds a figure measured elsewhere (the asyncio peer).</summary>
    public void Add(Result result) => _results.Add(result);

    public static double Median(double[] values)
    {
        if (values.Any(double.IsNaN))
        {
            return double.NaN;
        }

        double[] sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>The harness's options, from the command line.</summary>
internal sealed record Settings(int Iterations, TimeSpan IterationTime, TimeSpan WarmUpTime, int SleepingTasks, bool RunPython, string? Filter)
{
    public static Settings Parse(string[] args)
    {
        var settings = new Settings(Iterations: 7, IterationTime: TimeSpan.FromMilliseconds(100), WarmUpTime: TimeSpan.FromMilliseconds(300), SleepingTasks: 100_000, RunPython: true, Filter: null);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    settings = settings with { Iterations = 3, IterationTime = TimeSpan.FromMilliseconds(30), WarmUpTime = TimeSpan.FromMilliseconds(60) };
                    break;
                case "--iterations" when i + 1 < args.Length:
                    settings = settings with { Iterations = Math.Max(1, int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)) };
                    break;
                case "--tasks" when i + 1 < args.Length:
                    settings = settings with { SleepingTasks = Math.Max(1, int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)) };
                    break;
                case "--no-python":
                    settings = settings with { RunPython = false };
                    break;
                case "--filter" when i + 1 < args.Length:
                    settings = settings with { Filter = args[++i] };
                    break;
                default:
                    throw new ArgumentException(
                        $"Unknown option '{args[i]}'. Options: --quick, --iterations N, --tasks N (sleeping tasks, default 100000), --no-python, --filter TEXT (scenario or subject substring).");
            }
        }

        return settings;
    }

    public bool Selects(string scenario, string subject) =>
        Filter is null
        || scenario.Contains(Filter, StringComparison.OrdinalIgnoreCase)
        || subject.Contains(Filter, StringComparison.OrdinalIgnoreCase);
}
