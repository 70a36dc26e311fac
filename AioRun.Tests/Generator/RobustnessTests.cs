using System.Collections.Concurrent;
using System.Collections.Immutable;
using AioRun.Analyzers.Entry;
using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Hundreds of malformed or unusual declarations carrying [AioRunEntry], made up here, go through the generator, the
/// entry analyzer and the suppressor: none of them throws (no CS8785, no AD0001), and the generated code never adds a
/// compiler error or warning of its own (the diagnostics come from the analyzer, not as a cascade from generated files).
/// </summary>
public class RobustnessTests
{
    private static readonly (string Open, string Close)[] Containers =
    {
        ("static partial class P {", "}"),
        ("class P {", "}"),
        ("partial struct S {", "}"),
        ("readonly partial struct RS {", "}"),
        ("ref partial struct RefS {", "}"),
        ("partial record R(int X) {", "}"),
        ("partial record struct RRS {", "}"),
        ("partial interface I {", "}"),
        ("partial class G<T> {", "}"),
        ("file static partial class F {", "}"),
        ("public partial class O { private partial class N {", "} }"),
        ("public partial class O { protected partial struct N {", "} }"),
        ("namespace A.B; partial class P {", "}"),
        ("namespace @class { partial class @event {", "} }"),
        ("namespace A { namespace B.C { static partial class P {", "} } }"),
        ("partial class P", string.Empty),
        ("enum E {", "}"),
        ("static partial class P { partial class", "}"),
        (string.Empty, string.Empty),
        ("delegate void D(); abstract partial class P {", "}"),
        ("unsafe partial class U {", "}"),
        ("partial class P : System.Collections.Generic.List<int> {", "}"),
    };

    private static readonly string[] Modifiers =
    {
        "static", string.Empty, "static async", "async", "public static", "private static", "internal static", "protected static",
        "static extern", "abstract", "static abstract", "static virtual", "static partial", "unsafe static", "static new", "override",
        "static static",
    };

    private static readonly string[] Returns =
    {
        "Task", "Task<int>", "ValueTask", "ValueTask<int>", "void", "int", "Task<string>", "Task<int>?", "Task?", "Missing", "Task<Missing>",
        "ref int", "dynamic", "(int, int)", "System.Collections.Generic.IAsyncEnumerable<int>", "Task<int[]>", "System.Threading.Tasks.Task",
        "global::System.Threading.Tasks.ValueTask<int>",
    };

    private static readonly string[] Names = { "Main", "Run", "Main<T>", "@class", "Main<T, U>", "__AioRun_Main" };

    private static readonly string[] Parameters =
    {
        string.Empty, "string[] args", "CancellationToken ct", "AioLoop loop", "string[] a, string[] b", "AioLoop loop, CancellationToken ct, string[] args",
        "int x", "ref string[] args", "params string[] args", "this string[] args", "Missing m", "CancellationToken ct = default", "string[] args, ",
        "out AioLoop loop", "in CancellationToken ct", "string[]? args", "__arglist", "AioLoop? loop", "CancellationToken? ct", "string[,] args",
        "scoped ref CancellationToken ct", "[System.Runtime.CompilerServices.CallerMemberName] string[] args",
    };

    private static readonly string[] Bodies =
    {
        "=> default;", "{ }", ";", "=> throw null!;", "{ return 0; }", "{ await Task.Yield(); }", "=> Task.CompletedTask;", "{", "=> Aio.Sleep(1);",
        "{ return Task.FromResult(1); }",
    };

    private static readonly string[] Attributes =
    {
        "[AioRunEntry]", "[AioRunEntry()]", "[AioRunEntry(StopOnUnhandledErrors = true)]", "[AioRunEntry(ShutdownTimeoutSeconds = -1)]",
        "[AioRunEntry(ShutdownTimeoutSeconds = double.NaN, ExecutorWorkers = -5)]", "[AioRunEntry(ShutdownCallback = \"Nope\")]",
        "[AioRunEntry(ShutdownCallback = null, ShutdownHandler = \"\")]", "[AioRunEntry(ShutdownCallback = nameof(Helper))]",
        "[AioRunEntry(ShutdownHandler = nameof(Helper))]", "[AioRunEntry(LoopType = typeof(int))]", "[AioRunEntry(LoopType = typeof(System.Collections.Generic.List<>))]",
        "[AioRunEntry(LoopType = null)]", "[AioRunEntry(LoopType = typeof(Missing))]", "[AioRunEntry(ShutdownTimeoutSeconds = \"x\")]", "[AioRunEntry(1, 2)]",
        "[AioRunEntry(Nope = 1)]", "[AioRunEntry, AioRunEntry]", "[AioRun.AioRunEntry]", "[AioRunEntryAttribute]",
        "[global::AioRun.AioRunEntry(ExecutorWorkers = int.MaxValue, ShutdownTimeoutSeconds = 1e308)]", "[AioRunEntry(ShutdownTimeoutSeconds = 0)]",
        "[AioRunEntry(LoopType = typeof(MyLoop), ShutdownCallback = nameof(Helper), ShutdownHandler = nameof(Helper))]", "[return: AioRunEntry]",
        "[AioRunEntry(ShutdownTimeoutSeconds = double.PositiveInfinity, ExecutorWorkers = 0, StopOnUnhandledErrors = false)]",
    };

    private static readonly string[] Extras =
    {
        string.Empty, "static void Helper(AioLoop loop) { }", "static Task Helper() => Task.CompletedTask;", "static ValueTask Helper(AioLoop l) => default;",
        "int Helper;", "static void Helper() { } static void Helper(AioLoop loop) { }", "[AioRunEntry] static Task Second() => Task.CompletedTask;",
    };

    private const string Support = "public class MyLoop : AioLoop { }\n";

    private const string Valid = TestSource.Usings + """
        namespace App;

        public class MyLoop : AioLoop { }

        static partial class Program
        {
            [AioRunEntry(StopOnUnhandledErrors = true, ShutdownCallback = nameof(OnShutdown), LoopType = typeof(MyLoop))]
            static async Task<int> Main(string[] args, CancellationToken token)
            {
                await Aio.Sleep(1, token);
                return 0;
            }

            static void OnShutdown(AioLoop loop) { }
        }
        """;

    public static IEnumerable<string> Declarations()
    {
        var random = new Random(20240801);
        for (int i = 0; i < 300; i++)
        {
            (string open, string close) = Containers[random.Next(Containers.Length)];
            string member = $"{Attributes[random.Next(Attributes.Length)]} {Modifiers[random.Next(Modifiers.Length)]} {Returns[random.Next(Returns.Length)]} {Names[random.Next(Names.Length)]}({Parameters[random.Next(Parameters.Length)]}) {Bodies[random.Next(Bodies.Length)]}";
            yield return TestSource.Usings + Support + $"{open}\n    {member}\n    {Extras[random.Next(Extras.Length)]}\n{close}\n";
        }

        // Every prefix length of a valid program, as an editor sees it while it is typed.
        for (int length = Valid.Length / 2; length < Valid.Length; length += 9)
        {
            yield return Valid[..length];
        }
    }

    [Fact]
    public async Task Malformed_and_unusual_entries_never_crash_the_generator_or_analyzer_nor_cascade_errors_from_generated_code()
    {
        var failures = new ConcurrentBag<string>();
        string[] sources = Declarations().ToArray();
        Assert.True(sources.Length >= 300);
        int generatedPrograms = 0;

        foreach (string source in sources)
        {
            var analyzerErrors = new List<string>();
            GeneratorDriver driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(source), out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null || generatorDiagnostics.Any(d => d.Id == "CS8785"))
            {
                failures.Add($"The generator threw ({result.Exception?.Message}) on:\n{source}");
                continue;
            }

            generatedPrograms += result.GeneratedSources.Length > 0 ? 1 : 0;
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (exception, analyzer, _) => analyzerErrors.Add($"{analyzer.GetType().Name}: {exception}"),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false);
            ImmutableArray<Diagnostic> diagnostics = await output
                .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new EntryAnalyzer(), new EntryPointSuppressor()), options)
                .GetAllDiagnosticsAsync();

            if (analyzerErrors.Count > 0 || diagnostics.Any(d => d.Id == "AD0001"))
            {
                failures.Add($"An analyzer threw ({string.Join("; ", analyzerErrors)}) on:\n{source}");
            }

            Diagnostic[] fromGenerated = diagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && result.GeneratedSources.Any(g => g.SyntaxTree == tree))
                .ToArray();
            if (fromGenerated.Length > 0)
            {
                failures.Add($"Generated code has errors or warnings ({string.Join("; ", fromGenerated.Select(d => d.ToString()))}) for:\n{source}");
            }
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {sources.Length} declarations failed:\n\n" + string.Join("\n\n", failures.Take(30)));

        // The set is not all rejected input: a good part of it generates a program.
        Assert.True(generatedPrograms > 30, $"Only {generatedPrograms} declarations generated a program.");
    }
}
