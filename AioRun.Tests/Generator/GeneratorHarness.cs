using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// The generator on the plain driver: in-memory compilations of user programs against the .NET 10 (or .NET 8)
/// references, the generator run on them (once, or twice to check its caching), and the diagnostics of the result
/// after the suppressor and analyzers. For the tests that run the compiled program, check caching, or feed the
/// generator many inputs; <see cref="GeneratorTest"/> is the testing framework's view of the same generator.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>The language version a .NET 8 SDK gives a net8.0 project by default, the oldest the package supports.</summary>
    public static readonly CSharpParseOptions Net8ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.CSharp12);

    /// <summary>What the .NET SDK turns off by default (<c>NoWarn</c> 1701;1702: reference version unification).</summary>
    public static readonly ImmutableDictionary<string, ReportDiagnostic> SdkNoWarn = ImmutableDictionary.CreateRange(new[]
    {
        KeyValuePair.Create("CS1701", ReportDiagnostic.Suppress),
        KeyValuePair.Create("CS1702", ReportDiagnostic.Suppress),
    });

    /// <summary>
    /// The names of the generator's pipeline steps, read from <see cref="TrackingNames"/> so that a step added or
    /// renamed there is checked without a change here.
    /// </summary>
    public static readonly ImmutableArray<string> StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToImmutableArray();

    public static CSharpCompilation Compilation(string source, OutputKind kind = OutputKind.ConsoleApplication, string assemblyName = "UserProgram") =>
        Compilation(new[] { source }, kind, assemblyName);

    public static CSharpCompilation Compilation(IEnumerable<string> sources, OutputKind kind = OutputKind.ConsoleApplication, string assemblyName = "UserProgram") =>
        Compilation(sources, kind, assemblyName, References.Net10, ParseOptions);

    /// <summary>A program as a net8.0 project on a .NET 8 SDK compiles it: net8.0 references, C# 12.</summary>
    public static CSharpCompilation Net8Compilation(string source) =>
        Compilation(new[] { source }, OutputKind.ConsoleApplication, "UserProgram", References.Net8, Net8ParseOptions);

    private static CSharpCompilation Compilation(IEnumerable<string> sources, OutputKind kind, string assemblyName, ImmutableArray<MetadataReference> references, CSharpParseOptions parseOptions) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, parseOptions, path: $"File{i}.cs")),
            references,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(SdkNoWarn));

    public static GeneratorDriver Driver(IReadOnlyDictionary<string, string>? buildProperties = null, bool trackSteps = false, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new AioRunEntryGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            optionsProvider: new BuildProperties(buildProperties ?? new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once; fails if it threw.</summary>
    public static Generated Generate(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        GeneratorDriver driver = Driver(buildProperties, parseOptions: ParseOptionsOf(compilation)).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Empty(generatorDiagnostics);
        return new Generated(output, result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()));
    }

    /// <summary>
    /// Runs the generator twice, the second time on a clone of the compilation (nothing changed): every step's output
    /// must equal the first run's and be Cached or Unchanged, every source output Cached, and no step output may hold a
    /// symbol, syntax, semantic model, location or compilation (which would keep a compilation alive and defeat caching).
    /// </summary>
    public static void AssertCachedOnASecondRun(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        GeneratorDriver driver = Driver(buildProperties, trackSteps: true, ParseOptionsOf(compilation)).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        GeneratorRunResult second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        Assert.Null(first.Exception);

        AssertEveryStepOutput(second, StepNames, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        foreach (string step in StepNames)
        {
            IEnumerable<object> before = first.TrackedSteps[step].SelectMany(run => run.Outputs).Select(o => o.Value);
            IEnumerable<object> after = second.TrackedSteps[step].SelectMany(run => run.Outputs).Select(o => o.Value);
            Assert.True(before.SequenceEqual(after), $"Step '{step}' gave outputs on the second run that do not equal the first run's: its model is not equatable.");
        }

        AssertEverySourceOutputCached(second);
        AssertNoStepOutputHoldsARoslynObject(first);
    }

    /// <summary>Fails unless every output of each of <paramref name="steps"/> (each of which must have run) has one of the <paramref name="allowed"/> reasons.</summary>
    public static void AssertEveryStepOutput(GeneratorRunResult result, IEnumerable<string> steps, params IncrementalStepRunReason[] allowed)
    {
        Assert.NotEmpty(steps);
        foreach (string step in steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"The step '{step}' did not run.");
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((_, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(allowed.Contains(reason), $"Step '{step}' was {reason}; expected {string.Join(" or ", allowed)}.");
                }
            }
        }
    }

    /// <summary>Fails unless every source output of <paramref name="result"/> came from the cache.</summary>
    public static void AssertEverySourceOutputCached(GeneratorRunResult result) =>
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

    /// <summary>Fails if the output of any step of <paramref name="result"/> holds (at any depth) a Roslyn object that pins a compilation.</summary>
    public static void AssertNoStepOutputHoldsARoslynObject(GeneratorRunResult result)
    {
        foreach (string step in StepNames)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"The step '{step}' did not run.");
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, _) in run.Outputs)
                {
                    AssertHoldsNoRoslynObject(value, $"{step} output", new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    private static void AssertHoldsNoRoslynObject(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is Microsoft.CodeAnalysis.Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location, $"{path} holds a {value.GetType().Name}.");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertHoldsNoRoslynObject(item, $"{path}[{i++}]", seen);
            }
        }

        for (Type? type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertHoldsNoRoslynObject(field.GetValue(value), $"{path}.{field.Name}", seen);
            }
        }
    }

    /// <summary>The generated files are parsed as the user's are (a .NET 8 project's C# 12, say).</summary>
    private static CSharpParseOptions? ParseOptionsOf(Compilation compilation) =>
        (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options;

    /// <summary>Every diagnostic of the compilation with the generated code, after the suppressor and the given analyzers ran (suppressed ones left out).</summary>
    public static ImmutableArray<Diagnostic> Diagnostics(Compilation compilation, params DiagnosticAnalyzer[] analyzers) =>
        compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new EntryPointSuppressor()).AddRange(analyzers))
            .GetAllDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();

    /// <summary>Fails, listing them, if the compilation with the generated code has warnings or errors, the entry analyzer's included.</summary>
    public static void AssertClean(Compilation compilation)
    {
        Diagnostic[] problems = Diagnostics(compilation, new AioRun.Analyzers.Entry.EntryAnalyzer()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, "The program does not compile cleanly:\n" + string.Join("\n", problems.Select(d => d.ToString())));
    }

    public sealed record Generated(Compilation Output, IReadOnlyDictionary<string, string> Sources)
    {
        public string Program => Sources[Emitter.ProgramHintName];

        public string Accessors => Sources[Emitter.AccessorsHintName];
    }

    /// <summary>MSBuild properties as the compiler passes them to generators and analyzers (<c>build_property.*</c>).</summary>
    public sealed class BuildProperties : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global;

        public BuildProperties(IReadOnlyDictionary<string, string> properties) =>
            _global = new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value));

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());
            private readonly Dictionary<string, string> _values;

            public Options(Dictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}
