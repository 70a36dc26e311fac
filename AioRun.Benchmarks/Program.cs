using AioRun.Benchmarks;
using AioRun.Benchmarks.Runtime;

// dotnet run -c Release --project AioRun.Benchmarks -- [runtime|analyzers|generator] [options]
string suite = args.Length > 0 ? args[0] : "runtime";
string[] rest = args.Length > 0 ? args[1..] : args;

switch (suite)
{
    case "runtime":
        return RuntimeBenchmarks.Run(rest);
    case "analyzers":
    case "generator":
        if (BenchmarkRegistry.TryRun(suite, rest, out int exitCode))
        {
            return exitCode;
        }

        Console.Error.WriteLine($"The '{suite}' benchmarks are not part of this build.");
        return 2;
    default:
        Console.Error.WriteLine($"Unknown benchmark suite '{suite}'. Use one of: runtime (the default), analyzers, generator.");
        return 2;
}
