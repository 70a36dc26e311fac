using AioRun.Benchmarks.Analyzers;
using AioRun.Benchmarks.Echo;
using AioRun.Benchmarks.Generator;
using AioRun.Benchmarks.Peers;
using AioRun.Benchmarks.Runtime;

// dotnet run -c Release --project AioRun.Benchmarks -- [runtime|peers|analyzers|generator|echo] [options]
string suite = args.Length > 0 ? args[0] : "runtime";
string[] rest = args.Length > 0 ? args[1..] : args;

switch (suite)
{
    case "runtime":
        return RuntimeBenchmarks.Run(rest);
    case "peers":
        return PeerBenchmarks.Run(rest);
    case "analyzers":
        return AnalyzerBenchmark.Run(rest);
    case "generator":
        return GeneratorBenchmark.Run(rest);
    case "echo":
        return EchoBenchmark.Run(rest);
    case "echo-server": // a subject of the echo benchmark, started by it
        return EchoServers.Run(rest);
    case "echo-client": // the echo benchmark's load generator, started by it
        return EchoClient.Run(rest);
    default:
        Console.Error.WriteLine($"Unknown benchmark suite '{suite}'. Use one of: runtime (the default), peers, analyzers, generator, echo.");
        return 2;
}
