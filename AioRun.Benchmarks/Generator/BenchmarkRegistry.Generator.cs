namespace AioRun.Benchmarks;

/// <summary>Plugs the generator suite into <c>Program</c>'s dispatch (<c>-- generator</c>).</summary>
internal static partial class BenchmarkRegistry
{
    static partial void RunGenerator(string[] args, ref int? exitCode) =>
        exitCode = Generator.GeneratorBenchmark.Run(args);
}
