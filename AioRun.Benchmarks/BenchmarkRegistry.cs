namespace AioRun.Benchmarks;

/// <summary>
/// The benchmark suites that live in other folders of this project (AioRun.Benchmarks/Analyzers/,
/// AioRun.Benchmarks/Generator/). Each suite plugs in by implementing its partial method in a file of
/// its own folder, so this project builds with or without it.
/// </summary>
internal static partial class BenchmarkRegistry
{
    public static bool TryRun(string suite, string[] args, out int exitCode)
    {
        int? code = null;
        switch (suite)
        {
            case "analyzers":
                RunAnalyzers(args, ref code);
                break;
            case "generator":
                RunGenerator(args, ref code);
                break;
        }

        exitCode = code ?? 0;
        return code.HasValue;
    }

    /// <summary>Implemented by the analyzer suite: run it and set <paramref name="exitCode"/>.</summary>
    static partial void RunAnalyzers(string[] args, ref int? exitCode);

    /// <summary>Implemented by the generator suite: run it and set <paramref name="exitCode"/>.</summary>
    static partial void RunGenerator(string[] args, ref int? exitCode);
}
