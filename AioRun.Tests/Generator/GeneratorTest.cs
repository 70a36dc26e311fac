using System.Collections.Immutable;
using AioRun.Analyzers.Entry;
using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AioRun.Tests.Generator;

/// <summary>
/// The generator under the testing framework, as a build with the AioRun package runs it: an executable project,
/// offline references (net10.0, or net8.0 with C# 12), build properties in a global analyzer config, and the CS7022
/// suppressor and the entry analyzer beside the generator. The framework compares the generated sources with
/// <c>TestState.GeneratedSources</c> and every warning and error (compiler's and analyzer's) with
/// <c>ExpectedDiagnostics</c>: a test that expects none asserts that the program compiles cleanly.
/// </summary>
internal sealed class GeneratorTest : CSharpSourceGeneratorTest<AioRunEntryGenerator, DefaultVerifier>
{
    /// <summary>The path of the user's file (the testing framework's default name): the generated program names it as the main task's creation site.</summary>
    public const string SourcePath = "/0/Test0.cs";

    private readonly CSharpParseOptions _parseOptions;

    /// <param name="source">The user's code, after <see cref="TestSource.Usings"/>; markup marks expected diagnostics.</param>
    /// <param name="buildProperties">MSBuild properties (<c>AioRunShutdownTimeout</c>, ...), as <c>build_property.*</c>.</param>
    /// <param name="net8">Compile as a net8.0 project on a .NET 8 SDK: net8.0 references and C# 12.</param>
    public GeneratorTest(string source, IReadOnlyDictionary<string, string>? buildProperties = null, bool net8 = false)
    {
        this.UseOffline(net8 ? References.Net8 : References.Net10);
        _parseOptions = net8 ? GeneratorHarness.Net8ParseOptions : GeneratorHarness.ParseOptions;
        TestState.OutputKind = OutputKind.ConsoleApplication;
        // As the SDK without GenerateDocumentationFile: doc comments parsed, not checked (no CS1591).
        TestState.DocumentationMode = DocumentationMode.Parse;
        TestState.Sources.Add((SourcePath, TestSource.Usings + source));
        CompilerDiagnostics = CompilerDiagnostics.Warnings;
        if (buildProperties is { Count: > 0 })
        {
            TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + string.Concat(buildProperties.Select(p => $"build_property.{p.Key} = {p.Value}\n"))));
        }
    }

    /// <summary>The analyzers that run beside the generator; by default the CS7022 suppressor and the entry analyzer, whose diagnostics are about the entry the generator reads.</summary>
    public List<DiagnosticAnalyzer> Analyzers { get; } = new() { new EntryPointSuppressor(), new EntryAnalyzer() };

    /// <summary>
    /// Whether diagnostics that a suppressor hid are compared too (with <c>WithIsSuppressed(true)</c>). Off by default:
    /// the build does not show them, so they are no part of "compiles cleanly".
    /// </summary>
    public bool CompareSuppressedDiagnostics { get; init; }

    /// <summary>Expects the generator to write exactly these two files.</summary>
    public void ExpectGenerated(string program, string accessors)
    {
        TestState.GeneratedSources.Add((typeof(AioRunEntryGenerator), Emitter.ProgramHintName, program));
        TestState.GeneratedSources.Add((typeof(AioRunEntryGenerator), Emitter.AccessorsHintName, accessors));
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Analyzers;

    protected override CompilationOptions CreateCompilationOptions() =>
        new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(GeneratorHarness.SdkNoWarn);

    protected override ParseOptions CreateParseOptions() => _parseOptions;

    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics) =>
        CompareSuppressedDiagnostics ? base.FilterDiagnostics(diagnostics) : diagnostics.Where(d => !d.diagnostic.IsSuppressed).ToImmutableArray();
}
