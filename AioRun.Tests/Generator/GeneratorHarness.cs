using System.Collections.Immutable;
using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Builds in-memory compilations of user programs against the .NET 10 (or .NET 8) reference assemblies and the real AioRun.dll,
/// and runs the generator (and the suppressor and analyzers) on them. References are loaded once for the whole run.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>The language version a .NET 8 SDK gives a net8.0 project by default, the oldest the package supports.</summary>
    public static readonly CSharpParseOptions Net8ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.CSharp12);

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

    /// <summary>What the .NET SDK turns off by default (<c>NoWarn</c> 1701;1702: reference version unification).</summary>
    private static readonly Dictionary<string, ReportDiagnostic> SdkNoWarn = new()
    {
        ["CS1701"] = ReportDiagnostic.Suppress,
        ["CS1702"] = ReportDiagnostic.Suppress,
    };

    public static GeneratorDriver Driver(IReadOnlyDictionary<string, string>? buildProperties = null, bool trackSteps = false, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new AioRunEntryGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            optionsProvider: new BuildProperties(buildProperties ?? new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once; fails if it threw.</summary>
    public static Generated Generate(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        // The generated files are parsed as the user's are (a .NET 8 project's C# 12, say).
        var parseOptions = (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options;
        GeneratorDriver driver = Driver(buildProperties, parseOptions: parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Empty(generatorDiagnostics);
        return new Generated(output, result.Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()));
    }

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
