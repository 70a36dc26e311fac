using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using AioRun.Analyzers.LoopSafety;
using AioRun.Tests.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AioRun.Benchmarks.Analyzers;

/// <summary>
/// Analyzer time of AioRun's four loop-safety rules against Microsoft.VisualStudio.Threading.Analyzers on the same
/// generated corpus, both measured the same way: <see cref="CompilationWithAnalyzers"/> with
/// <c>logAnalyzerExecutionTime</c>, one analysis thread, a fresh compilation per iteration, medians reported;
/// and AioRun's share of the compilation time (parse, bind and emit of the same corpus, without analyzers).
/// Arguments: <c>--files N</c> (default 2000), <c>--iterations N</c> (default 5), <c>--clean P</c> (the percentage of
/// statements that no rule reports: default 90, closer to real code; 0 gives the robustness test's density,
/// about one diagnostic per 14 lines).
/// </summary>
public static class AnalyzerBenchmark
{
    /// <summary>Runs the benchmark and prints its figures; returns 0, or 1 if an analyzer failed.</summary>
    public static int Run(string[] args)
    {
        int files = Option(args, "--files", 2000);
        int iterations = Option(args, "--iterations", 5);
        double clean = Option(args, "--clean", 90) / 100.0;

        List<LoopSafetyCorpus.File> corpus = LoopSafetyCorpus.Generate(files, seed: 2024, cleanShare: clean);
        long lines = corpus.Sum(f => f.Text.Count(c => c == '\n'));
        ImmutableArray<MetadataReference> references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(Aio).Assembly.Location))
            .ToImmutableArray();

        ImmutableArray<DiagnosticAnalyzer> aioRun = ImmutableArray.Create<DiagnosticAnalyzer>(
            new UntrackedWorkAnalyzer(), new ShieldAnalyzer(), new BlockingCallAnalyzer(), new MissingCancellationAnalyzer());
        (ImmutableArray<DiagnosticAnalyzer> vsThreading, ImmutableArray<AdditionalText> vsThreadingFiles) = LoadVsThreading();

        Console.WriteLine($"Analyzer benchmark: {files} generated files, {lines:N0} lines, {clean:P0} of statements clean, {iterations} iterations (+1 warm-up), medians.");
        Console.WriteLine($"AioRun: {aioRun.Length} analyzers (AIO001-AIO004). vs-threading 18.12.1: {vsThreading.Length} C# analyzers.");

        var compile = new List<double>();
        var aioRunTimes = new List<double>();
        var vsThreadingTimes = new List<double>();
        var perRule = aioRun.ToDictionary(a => a.SupportedDiagnostics[0].Id, _ => new List<double>());
        int aioRunDiagnostics = 0;
        int vsThreadingDiagnostics = 0;
        bool failed = false;

        for (int i = 0; i <= iterations; i++)
        {
            bool warmUp = i == 0;

            CSharpCompilation compilation = Compile(corpus, references);
            var watch = Stopwatch.StartNew();
            ImmutableArray<Diagnostic> errors = compilation.GetDiagnostics();
            using (var output = new MemoryStream())
            {
                compilation.Emit(output);
            }

            watch.Stop();
            if (errors.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                Console.Error.WriteLine("The corpus does not compile: " + errors.First(d => d.Severity == DiagnosticSeverity.Error));
                return 1;
            }

            (TimeSpan aioTotal, Dictionary<DiagnosticAnalyzer, TimeSpan> aioEach, int aioCount, bool aioFailed) =
                Analyze(Compile(corpus, references), aioRun, ImmutableArray<AdditionalText>.Empty);
            (TimeSpan vsTotal, _, int vsCount, bool vsFailed) = Analyze(Compile(corpus, references), vsThreading, vsThreadingFiles);
            failed |= aioFailed;
            if (vsFailed)
            {
                Console.WriteLine("note: a vs-threading analyzer threw (its time is still counted).");
            }

            if (warmUp)
            {
                continue;
            }

            compile.Add(watch.Elapsed.TotalMilliseconds);
            aioRunTimes.Add(aioTotal.TotalMilliseconds);
            vsThreadingTimes.Add(vsTotal.TotalMilliseconds);
            foreach ((DiagnosticAnalyzer analyzer, TimeSpan time) in aioEach)
            {
                perRule[analyzer.SupportedDiagnostics[0].Id].Add(time.TotalMilliseconds);
            }

            aioRunDiagnostics = aioCount;
            vsThreadingDiagnostics = vsCount;
        }

        double compileMedian = Median(compile);
        double aioMedian = Median(aioRunTimes);
        double vsMedian = Median(vsThreadingTimes);
        Console.WriteLine();
        Console.WriteLine($"compilation (parse, bind, emit; no analyzers): {compileMedian,10:N1} ms");
        foreach ((string id, List<double> times) in perRule)
        {
            Console.WriteLine($"  {id}:                                        {Median(times),10:N1} ms");
        }

        Console.WriteLine($"AioRun AIO001-AIO004 together:                 {aioMedian,10:N1} ms   ({aioRunDiagnostics} diagnostics)");
        Console.WriteLine($"vs-threading analyzers together:               {vsMedian,10:N1} ms   ({vsThreadingDiagnostics} diagnostics)");
        Console.WriteLine($"AioRun / vs-threading:                         {aioMedian / vsMedian,10:P1}   (target: below 100%)");
        Console.WriteLine($"AioRun / compilation:                          {aioMedian / compileMedian,10:P1}   (target: below 5%)");
        return RealCode(references, aioRun) && !failed ? 0 : 1;
    }

    /// <summary>
    /// Precision and recall per rule on what the rules met in real code (see <see cref="RealCodeCorpus"/>); false when the
    /// shapes of the labelled cases no longer get what their labels expect.
    /// </summary>
    private static bool RealCode(ImmutableArray<MetadataReference> references, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        string folder = typeof(AnalyzerBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "RealCodeFolder").Value!;
        IReadOnlyList<RealCodeCorpus.Label> labels = RealCodeCorpus.ReadLabels(folder);
        HashSet<(string File, int Line, string Rule)> reported = RealCodeCorpus.RunRulesAsync(folder, references, analyzers).GetAwaiter().GetResult();
        List<string> mismatches = RealCodeCorpus.Mismatches(labels, RealCodeCorpus.ReadCases(folder), reported);

        Console.WriteLine();
        Console.WriteLine($"Real code: {labels.Count} labelled places of six open-source async libraries ({folder}/labels.tsv), checked on the shapes that stand for them.");
        Console.WriteLine(RealCodeCorpus.Figures(labels));
        foreach (string mismatch in mismatches)
        {
            Console.WriteLine("MISMATCH " + mismatch);
        }

        return mismatches.Count == 0;
    }

    private static (TimeSpan Total, Dictionary<DiagnosticAnalyzer, TimeSpan> Each, int Diagnostics, bool Failed) Analyze(
        Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<AdditionalText> additionalFiles)
    {
        bool failed = false;
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(additionalFiles),
            onAnalyzerException: (exception, analyzer, _) =>
            {
                failed = true;
                Console.Error.WriteLine($"{analyzer.GetType().Name} threw: {exception.Message}");
            },
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: true);
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        ImmutableArray<Diagnostic> diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        var each = new Dictionary<DiagnosticAnalyzer, TimeSpan>();
        foreach (DiagnosticAnalyzer analyzer in analyzers)
        {
            each[analyzer] = withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime;
        }

        return (each.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + t), each, diagnostics.Length, failed);
    }

    private static CSharpCompilation Compile(List<LoopSafetyCorpus.File> corpus, ImmutableArray<MetadataReference> references) =>
        CSharpCompilation.Create(
            "Corpus",
            corpus.Select(f => CSharpSyntaxTree.ParseText(f.Text, new CSharpParseOptions(LanguageVersion.Latest), path: f.Name)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));

    /// <summary>vs-threading's C# analyzers, from the package folder, with the additional files its package adds to a build.</summary>
    private static (ImmutableArray<DiagnosticAnalyzer>, ImmutableArray<AdditionalText>) LoadVsThreading()
    {
        string root = typeof(AnalyzerBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "VsThreadingAnalyzersPath").Value!;
        string folder = Path.Combine(root, "analyzers", "cs");
        var loader = new FolderLoader();
        var analyzers = new List<DiagnosticAnalyzer>();
        foreach (string dll in new[] { "Microsoft.VisualStudio.Threading.Analyzers.dll", "Microsoft.VisualStudio.Threading.Analyzers.CSharp.dll" })
        {
            var reference = new AnalyzerFileReference(Path.Combine(folder, dll), loader);
            analyzers.AddRange(reference.GetAnalyzers(LanguageNames.CSharp));
        }

        ImmutableArray<AdditionalText> files = Directory.GetFiles(Path.Combine(root, "buildTransitive", "AdditionalFiles"))
            .Select(path => (AdditionalText)new FileText(path))
            .ToImmutableArray();
        return (analyzers.ToImmutableArray(), files);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
    }

    /// <summary>Loads analyzer assemblies from their folder into the default context (they reference only Roslyn and each other).</summary>
    private sealed class FolderLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
    }
}
