using AioRun.Analyzers.Entry;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace AioRun.Tests.Analyzers.Entry;

/// <summary>
/// The AIO1xx tests: the analyzer (and a code fix) on an executable project that references AioRun, offline (the
/// .NET 10 reference assemblies of Basic.Reference.Assemblies and the real AioRun.dll, no package download).
/// Only the analyzer's diagnostics are compared: without the generator such sources do not have to compile.
/// </summary>
internal sealed class EntryTest<TCodeFix> : CSharpCodeFixTest<EntryAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    public EntryTest(string source, OutputKind kind = OutputKind.ConsoleApplication, string? buildProperties = null)
    {
        this.UseOffline(References.Net10);
        TestState.OutputKind = kind;
        TestState.Sources.Add(TestSource.Usings + source);
        CompilerDiagnostics = CompilerDiagnostics.None;
        if (buildProperties is not null)
        {
            TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + buildProperties));
        }
    }
}

internal static class EntryVerify
{
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected) =>
        AnalyzerAsync(source, OutputKind.ConsoleApplication, null, expected);

    public static Task AnalyzerAsync(string source, OutputKind kind, string? buildProperties, params DiagnosticResult[] expected)
    {
        var test = new EntryTest<EmptyCodeFixProvider>(source, kind, buildProperties);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new EntryTest<TCodeFix>(source) { FixedCode = TestSource.Usings + fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static DiagnosticResult Diagnostic(string id, int location, string message) =>
        new DiagnosticResult(id, DiagnosticSeverity.Error).WithLocation(location).WithMessage(message);
}
