using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AioRun.Analyzers.Entry;
using AioRun.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Benchmarks.Generator;

/// <summary>
/// The [AioRunEntry] generator on a generated compilation of 1,000 files (one holds the entry): its time on a first
/// run, its time after an unrelated edit (which must leave every step cached or unchanged), and its share of the whole
/// compilation (generator + binding every file + emit). Also the entry analyzer's time. A timed harness: medians of
/// several runs, printed as a table.
/// </summary>
public static class GeneratorBenchmark
{
    private const int Files = 1000;

    /// <summary>Runs the benchmark; <c>--iterations N</c> (default 7), <c>--files N</c> (default 1000).</summary>
    /// <returns>0, or 1 if an unrelated edit made the generator do more than cached work.</returns>
    public static int Run(string[] args)
    {
        int iterations = Option(args, "--iterations", 7);
        int files = Option(args, "--files", Files);
        CSharpParseOptions parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        ImmutableArray<MetadataReference> references = ImmutableArray.CreateRange<MetadataReference>(
            Basic.Reference.Assemblies.Net100.References.All.Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(AioLoop).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
            }));
        SyntaxTree[] trees = Enumerable.Range(0, files)
            .Select(i => CSharpSyntaxTree.ParseText(i == 0 ? EntryFile : OrdinaryFile(i, edit: 0), parseOptions, path: $"File{i}.cs"))
            .ToArray();
        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });
        CSharpCompilation Compilation() => CSharpCompilation.Create("Bench", trees, references, options);

        Console.WriteLine($"AioRun generator benchmark: {files} files, {trees.Sum(t => t.Length) / 1024} KiB of source, median of {iterations} runs (after a warm-up).");

        // Warm-up: JIT the generator, the driver and the compiler.
        for (int i = 0; i < 2; i++)
        {
            _ = FirstRun(Compilation(), parseOptions, trackSteps: false, out _);
            _ = Compile(Compilation());
        }

        var first = new List<double>();
        var incremental = new List<double>();
        var floor = new List<double>();
        var compile = new List<double>();
        var analyzer = new List<double>();
        bool onlyCachedWork = true;
        var reasons = new SortedDictionary<string, string>();
        for (int i = 0; i < iterations; i++)
        {
            CSharpCompilation compilation = Compilation();
            first.Add(FirstRun(compilation, parseOptions, trackSteps: false, out GeneratorDriver driver));

            // An unrelated edit: one method body of an ordinary file changes.
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(trees[files / 2], CSharpSyntaxTree.ParseText(OrdinaryFile(files / 2, edit: i + 1), parseOptions, path: trees[files / 2].FilePath));
            var watch = Stopwatch.StartNew();
            _ = driver.RunGenerators(edited);
            watch.Stop();
            incremental.Add(watch.Elapsed.TotalMilliseconds);

            // The floor for the same edit: the least a ForAttributeWithMetadataName generator does (its transform only names the symbol).
            GeneratorDriver idle = CSharpGeneratorDriver.Create(new[] { new MinimalGenerator().AsSourceGenerator() }, parseOptions: parseOptions).RunGenerators(compilation);
            watch.Restart();
            _ = idle.RunGenerators(edited);
            watch.Stop();
            floor.Add(watch.Elapsed.TotalMilliseconds);

            // The same edit again with step tracking, to check what ran.
            _ = FirstRun(compilation, parseOptions, trackSteps: true, out GeneratorDriver tracked);
            GeneratorRunResult result = tracked.RunGenerators(edited).GetRunResult().Results.Single();
            foreach ((string step, ImmutableArray<IncrementalGeneratorRunStep> runs) in result.TrackedSteps.Where(s => IsOurStep(s.Key)))
            {
                IncrementalStepRunReason[] outputs = runs.SelectMany(r => r.Outputs).Select(o => o.Reason).ToArray();
                reasons[step] = string.Join(",", outputs.Distinct());
                onlyCachedWork &= outputs.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            }

            onlyCachedWork &= result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached);

            compile.Add(Compile(Compilation()));
            analyzer.Add(AnalyzerTime(Compilation()));
        }

        double firstMs = Median(first), incrementalMs = Median(incremental), floorMs = Median(floor), compileMs = Median(compile), analyzerMs = Median(analyzer);
        Console.WriteLine();
        Console.WriteLine("| measure | median |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| generator, first run | {firstMs:F2} ms |");
        Console.WriteLine($"| generator, after an unrelated edit | {incrementalMs:F2} ms |");
        Console.WriteLine($"| floor for that edit: a minimal ForAttributeWithMetadataName generator | {floorMs:F2} ms |");
        Console.WriteLine($"| compilation: bind every file + emit (no generator) | {compileMs:F0} ms |");
        Console.WriteLine($"| generator's share of generator + compilation | {100 * firstMs / (firstMs + compileMs):F2} % |");
        Console.WriteLine($"| entry analyzer (EntryAnalyzer) execution time | {analyzerMs:F2} ms |");
        Console.WriteLine();
        Console.WriteLine("Steps after the unrelated edit: " + string.Join("; ", reasons.Select(r => $"{r.Key}={r.Value}")));
        Console.WriteLine(onlyCachedWork
            ? "OK: after the unrelated edit every step was cached or unchanged and no source was regenerated."
            : "FAIL: the unrelated edit made the generator redo work.");
        return onlyCachedWork ? 0 : 1;
    }

    private static double FirstRun(CSharpCompilation compilation, CSharpParseOptions parseOptions, bool trackSteps, out GeneratorDriver driver)
    {
        driver = CSharpGeneratorDriver.Create(
            new[] { new AioRunEntryGenerator().AsSourceGenerator() },
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
        var watch = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        watch.Stop();
        if (driver.GetRunResult().GeneratedTrees.Length != 2)
        {
            throw new InvalidOperationException("The generator did not emit the program and its accessors.");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>What the compiler does besides generators: bind every file (all diagnostics) and emit.</summary>
    private static double Compile(CSharpCompilation compilation)
    {
        var watch = Stopwatch.StartNew();
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        watch.Stop();
        if (emitted.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS5001"))
        {
            throw new InvalidOperationException("The benchmark compilation does not compile: " + emitted.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static double AnalyzerTime(CSharpCompilation compilation)
    {
        var analyzer = new EntryAnalyzer();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer), options);
        _ = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds;
    }

    /// <summary>
    /// The least a generator keyed on [AioRunEntry] can do: find the attribute, name the method, emit nothing. Its
    /// transform runs again on every new compilation, like any semantic transform, so it pays for the new compilation's
    /// declarations being built (work the compiler needs for the build anyway).
    /// </summary>
    private sealed class MinimalGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<string> names = context.SyntaxProvider.ForAttributeWithMetadataName(
                "AioRun.AioRunEntryAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                static (attributeContext, _) => attributeContext.TargetSymbol.Name);
            context.RegisterSourceOutput(names, static (_, _) => { });
        }
    }

    private static bool IsOurStep(string name) => typeof(TrackingNames).GetFields().Any(f => (string?)f.GetValue(null) == name);

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
    }

    private const string EntryFile = """
        using System.Threading;
        using System.Threading.Tasks;
        using AioRun;

        namespace Bench;

        static partial class Program
        {
            [AioRunEntry(StopOnUnhandledErrors = true, ShutdownTimeoutSeconds = 5, ShutdownCallback = nameof(OnShutdown))]
            static async Task<int> Main(string[] args, CancellationToken token)
            {
                await Aio.Sleep(0.01, token);
                return args.Length;
            }

            static Task OnShutdown(AioLoop loop) => Task.CompletedTask;
        }
        """;

    /// <summary>An ordinary file of a service: a record, a class with a few methods, an async method, attributes.</summary>
    private static string OrdinaryFile(int index, int edit)
    {
        var text = new StringBuilder();
        text.AppendLine("using System;");
        text.AppendLine("using System.Collections.Generic;");
        text.AppendLine("using System.Linq;");
        text.AppendLine("using System.Threading.Tasks;");
        text.AppendLine();
        text.AppendLine($"namespace Bench.Module{index % 20};");
        text.AppendLine();
        text.AppendLine($"public sealed record Item{index}(int Id, string Name, decimal Price);");
        text.AppendLine();
        text.AppendLine("[Serializable]");
        text.AppendLine($"public sealed class Service{index}");
        text.AppendLine("{");
        text.AppendLine($"    private readonly List<Item{index}> _items = new();");
        text.AppendLine();
        text.AppendLine($"    [Obsolete(\"use AddAsync\")]");
        text.AppendLine($"    public void Add(Item{index} item) => _items.Add(item);");
        text.AppendLine();
        text.AppendLine($"    public async Task<int> AddAsync(Item{index} item)");
        text.AppendLine("    {");
        text.AppendLine("        await Task.Yield();");
        text.AppendLine("        _items.Add(item);");
        text.AppendLine($"        return _items.Count + {edit};");
        text.AppendLine("    }");
        text.AppendLine();
        text.AppendLine("    public decimal Total(Func<decimal, decimal>? adjust = null) => _items.Sum(i => adjust is null ? i.Price : adjust(i.Price));");
        text.AppendLine();
        text.AppendLine($"    public IEnumerable<string> Names() => _items.Where(i => i.Id % 2 == {index % 2}).Select(i => i.Name.ToUpperInvariant());");
        text.AppendLine();
        text.AppendLine("    public override string ToString() => $\"{_items.Count} items, {Total():F2}\";");
        text.AppendLine("}");
        return text.ToString();
    }
}
