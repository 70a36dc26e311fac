using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// The runtime benchmarks, side by side with their peers in one run:
/// <c>dotnet run -c Release --project AioRun.Benchmarks -- runtime [--quick] [--no-python] [--tasks N] [--iterations N] [--filter TEXT]</c>.
/// Progress goes to stderr, the figures table and the targets to stdout.
/// </summary>
public static class RuntimeBenchmarks
{
    /// <summary>Runs every runtime benchmark and prints the figures and the targets.</summary>
    /// <param name="args">Options (see <see cref="Settings.Parse"/>).</param>
    /// <returns>The process exit code: 0, or 2 for bad options.</returns>
    public static int Run(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        string loadBefore = LoadAverage();
        var clock = Stopwatch.StartNew();
        var harness = new Harness(settings);
        Console.Error.WriteLine("Running the AioRun runtime benchmarks (progress on stderr, figures on stdout)...");
        SameThreadBenchmarks.Run(harness);
        CrossThreadBenchmarks.Run(harness);
        TaskBenchmarks.Run(harness);
        SleepCancelBenchmarks.Run(harness, settings.SleepingTasks);
        string? pythonProblem = null;
        if (settings.RunPython && settings.Selects(SleepCancelBenchmarks.Scenario(settings.SleepingTasks), PythonPeer.Subject))
        {
            pythonProblem = PythonPeer.Run(harness, settings.SleepingTasks);
        }

        PrintEnvironment(settings, loadBefore, clock.Elapsed);
        PrintTable(harness.Results);
        if (pythonProblem is not null)
        {
            Console.WriteLine($"asyncio peer not measured: {pythonProblem}.");
            Console.WriteLine();
        }

        PrintTargets(harness.Results, settings);
        return 0;
    }

    private static void PrintEnvironment(Settings settings, string loadBefore, TimeSpan elapsed)
    {
        bool optimized = !typeof(AioLoop).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
            .Cast<DebuggableAttribute>()
            .Any(a => a.IsJITOptimizerDisabled);
        Console.WriteLine();
        Console.WriteLine("AioRun runtime benchmarks");
        Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        Console.WriteLine($"  AioRun.dll {(optimized ? "optimized (Release)" : "NOT optimized: run with -c Release for meaningful figures")}; {settings.Iterations} iterations of ~{settings.IterationTime.TotalMilliseconds:F0} ms after {settings.WarmUpTime.TotalMilliseconds:F0} ms warm-up, medians"
            + (settings.WarmUpTime < TimeSpan.FromMilliseconds(300) ? " (too short for the JIT to tier up: a smoke test, not figures)" : string.Empty));
        Console.WriteLine($"  load average before: {loadBefore}; after: {LoadAverage()}; the run took {elapsed.TotalSeconds:F0} s");
        Console.WriteLine();
    }

    private static void PrintTable(IReadOnlyList<Result> results)
    {
        const int subjectWidth = 66;
        foreach (IGrouping<string, Result> scenario in results.Where(r => r.Measured).GroupBy(r => r.Scenario))
        {
            bool total = scenario.First().ReportsTotal;
            Console.WriteLine(total
                ? $"{scenario.Key,-subjectWidth} {"total ms",9} {"cpu ms",9} {"ns/task",9} {"B/task",9} {"±",5}"
                : $"{scenario.Key,-subjectWidth} {"ns/op",9} {"cpu ns/op",9} {"M ops/s",9} {"B/op",9} {"±",5}");
            foreach (Result r in scenario)
            {
                string bytes = Format(r.MedianBytesPerOp, "F1");
                string spread = (r.Spread * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
                Console.WriteLine(total
                    ? $"  {r.Subject,-(subjectWidth - 2)} {r.MedianTotalMs,9:F1} {Format(r.MedianCpuNsPerOp * r.OpsPerIteration / 1e6, "F1"),9} {r.MedianNsPerOp,9:F0} {bytes,9} {spread,5}"
                    : $"  {r.Subject,-(subjectWidth - 2)} {r.MedianNsPerOp,9:F1} {Format(r.MedianCpuNsPerOp, "F1"),9} {r.OpsPerSecond / 1e6,9:F2} {bytes,9} {spread,5}");
            }

            if (scenario.Key == TaskBenchmarks.Breakdown)
            {
                PrintBreakdownSum(results, scenario.ToArray());
            }

            Console.WriteLine();
        }
    }

    /// <summary>Adds the parts up and sets the sum beside the measured bytes of a tracked task.</summary>
    private static void PrintBreakdownSum(IReadOnlyList<Result> results, Result[] parts)
    {
        double Part(string subject) => parts.FirstOrDefault(p => p.Subject == subject)?.MedianBytesPerOp ?? double.NaN;
        string scenario = TaskBenchmarks.Scenario(TaskBenchmarks.Widths[^1]);
        Result? bare = Find(results, scenario, TaskBenchmarks.BareWithToken);
        Result? tracked = Find(results, scenario, TaskBenchmarks.TrackedWithToken);
        if (bare is null || tracked is null)
        {
            return;
        }

        double sum = bare.MedianBytesPerOp + Part(TaskBenchmarks.PartTask) + Part(TaskBenchmarks.PartSource)
            + Part(TaskBenchmarks.PartContext) + Part(TaskBenchmarks.PartContinuation);
        Console.WriteLine(
            $"  = bare body {bare.MedianBytesPerOp:F0} + AioTask {Part(TaskBenchmarks.PartTask):F0} + token source {Part(TaskBenchmarks.PartSource):F0}"
            + $" + ExecutionContext {Part(TaskBenchmarks.PartContext):F0} + continuation {Part(TaskBenchmarks.PartContinuation):F0}"
            + $" = {sum:F0} B; measured for {TaskBenchmarks.TrackedWithToken}: {tracked.MedianBytesPerOp:F0} B");

        // What any tracked task must allocate with this signature (work taking the task's own token), whatever its own object weighs: the body
        // itself, a token source of its own (Cancel() cancels one task's token), and a continuation that brings its
        // completion back on the loop's context (a context-free one is not run inline under a SynchronizationContext).
        double floor = bare.MedianBytesPerOp + Part(TaskBenchmarks.PartSource) + Part(TaskBenchmarks.PartContinuation);
        Console.WriteLine(
            $"  floor before any task object: body {bare.MedianBytesPerOp:F0} + token source {Part(TaskBenchmarks.PartSource):F0}"
            + $" + continuation {Part(TaskBenchmarks.PartContinuation):F0} = {floor:F0} B = {floor / bare.MedianBytesPerOp:F2}x the bare method");
    }

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    private static void PrintTargets(IReadOnlyList<Result> results, Settings settings)
    {
        int tasks = settings.SleepingTasks;
        Console.WriteLine("Targets. Time ratios are judged on CPU time where both sides have it (steadier on a shared machine), else on wall time.");
        var targets = new (string Label, string Scenario, string Subject, string Peer, Func<Result, Result, (double Ratio, bool Met, string Shown)> Judge)[]
        {
            ("same-thread >= 1/2 raw queue", SameThreadBenchmarks.Chain, SameThreadBenchmarks.LoopCallSoon, SameThreadBenchmarks.RawQueue, AtLeast(0.5)),
            ("same-thread >= 1/2 raw queue", SameThreadBenchmarks.Yield, SameThreadBenchmarks.LoopTasks, SameThreadBenchmarks.RawContext, AtLeast(0.5)),
            ("same-thread >= 3x AsyncContext", SameThreadBenchmarks.Chain, SameThreadBenchmarks.LoopCallSoon, SameThreadBenchmarks.NitoAsyncContext, AtLeast(3)),
            ("loop-lag watchdog on within 5 % of off", SameThreadBenchmarks.Chain, SameThreadBenchmarks.LoopCallSoonWatched, SameThreadBenchmarks.LoopCallSoon, AtMostSlower(0.05)),
            ("same-thread >= 3x AsyncContext", SameThreadBenchmarks.Yield, SameThreadBenchmarks.LoopTasks, SameThreadBenchmarks.NitoAsyncContext, AtLeast(3)),
            // (3)'s bytes per task are shown against a bare async method and its floor, not judged: the goal for a
            // task's memory is against asyncio's, a sleeping task's, which the peers benchmark judges.
            ("cancel+drain >= 2x faster than asyncio", SleepCancelBenchmarks.Scenario(tasks), SleepCancelBenchmarks.UserCode, PythonPeer.Subject, AtLeast(2)),
            ("cancel+drain >= 2x faster than asyncio", SleepCancelBenchmarks.Scenario(tasks), SleepCancelBenchmarks.ShutdownPhases, PythonPeer.Subject, AtLeast(2)),
        };

        foreach ((string label, string scenario, string subject, string peer, var judge) in targets)
        {
            Result? ours = Find(results, scenario, subject);
            Result? theirs = Find(results, scenario, peer);
            string what = $"{scenario}: {subject} vs {peer}";
            if (ours is null || theirs is null)
            {
                if (settings.Filter is not null && !settings.Selects(scenario, subject))
                {
                    continue;
                }

                Console.WriteLine($"  {"n/a",-7} {label,-40} {what} (not measured)");
                continue;
            }

            (double _, bool met, string shown) = judge(ours, theirs);
            Console.WriteLine($"  {(met ? "MET" : "MISSED"),-7} {label,-40} {shown,-36} {what}");
        }
    }

    /// <summary>Ours at least <paramref name="factor"/> times as fast as the peer: on CPU time if both have it, else on wall time.</summary>
    private static Func<Result, Result, (double, bool, string)> AtLeast(double factor) => (ours, peer) =>
    {
        double wall = peer.MedianNsPerOp / ours.MedianNsPerOp;
        double cpu = peer.MedianCpuNsPerOp / ours.MedianCpuNsPerOp;
        if (double.IsNaN(cpu))
        {
            return (wall, wall >= factor, $"wall {wall:F2}x (need {factor:0.##}x)");
        }

        return (cpu, cpu >= factor, $"cpu {cpu:F2}x, wall {wall:F2}x (need {factor:0.##}x)");
    };

    /// <summary>Ours takes at most <paramref name="fraction"/> more time per operation than the peer: on CPU time if both have it, else on wall time.</summary>
    private static Func<Result, Result, (double, bool, string)> AtMostSlower(double fraction) => (ours, peer) =>
    {
        double wall = ours.MedianNsPerOp / peer.MedianNsPerOp;
        double cpu = ours.MedianCpuNsPerOp / peer.MedianCpuNsPerOp;
        string limit = $"max {1 + fraction:0.00}x";
        if (double.IsNaN(cpu))
        {
            return (wall, wall <= 1 + fraction, $"wall {wall:F3}x ({limit})");
        }

        return (cpu, cpu <= 1 + fraction, $"cpu {cpu:F3}x, wall {wall:F3}x ({limit})");
    };

    /// <summary>
    /// The subject's figure, by its name or a longer one (a peer's name may carry its version); not a variant of it
    /// (the name, a comma, what differs: the watchdog-on chain is not the chain).
    /// </summary>
    private static Result? Find(IReadOnlyList<Result> results, string scenario, string subject) =>
        results.FirstOrDefault(r => r.Measured && r.Scenario == scenario && r.Subject.StartsWith(subject, StringComparison.Ordinal)
            && !r.Subject.StartsWith(subject + ",", StringComparison.Ordinal));

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
