using System.Collections.Immutable;
using AioRun.Analyzers.LoopSafety;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>The four loop-safety analyzers and the CS4014 suppressor, as the package runs them, for the tests that run them all at once.</summary>
internal static class LoopSafetyAnalyzers
{
    public static readonly ImmutableArray<DiagnosticAnalyzer> All = ImmutableArray.Create<DiagnosticAnalyzer>(
        new UntrackedWorkAnalyzer(), new ShieldAnalyzer(), new BlockingCallAnalyzer(), new MissingCancellationAnalyzer(), new TrackedTaskSuppressor());
}

/// <summary>Diagnostics of one analyzer on test sources written with markup (<c>[|...|]</c> where a diagnostic is expected).</summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) => VerifyAsync(source, null, expected);

    public static Task VerifyAsync(string source, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = Create(source);
        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*]\n" + editorConfig + "\n"));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> Create(string source, bool referenceAioRun = true) =>
        Create(source, referenceAioRun ? References.Net10 : References.Net10Framework);

    /// <summary>A test that compiles against <paramref name="references"/> (e.g. <see cref="References.Net10Hosted"/>).</summary>
    public static CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> Create(string source, ImmutableArray<Microsoft.CodeAnalysis.MetadataReference> references)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        test.UseOffline(references);
        return test;
    }
}

/// <summary>A code fix on test sources: the single fix, and Fix All in document, project and solution.</summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>One document: <paramref name="source"/> with markup; <paramref name="fixedSource"/> the text after every fix.</summary>
    public static Task VerifyAsync(string source, string fixedSource, int? iterations = null)
    {
        var test = Create();
        test.TestCode = source;
        test.FixedCode = fixedSource;
        if (iterations is { } n)
        {
            test.NumberOfIncrementalIterations = n;
            test.NumberOfFixAllIterations = 1;
        }

        return test.RunAsync();
    }

    /// <summary>A fix that is not offered: the diagnostics stay, the code does not change.</summary>
    public static Task VerifyNoFixAsync(string source)
    {
        var test = Create();
        test.TestCode = source;
        test.FixedCode = source;
        return test.RunAsync();
    }

    /// <summary>Several documents, for Fix All in project and solution: <paramref name="sources"/> before, <paramref name="fixedSources"/> after.</summary>
    public static Task VerifyAsync(string[] sources, string[] fixedSources)
    {
        var test = Create();
        foreach (string source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        foreach (string fixedSource in fixedSources)
        {
            test.FixedState.Sources.Add(fixedSource);
        }

        return test.RunAsync();
    }

    public static CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> Create()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>();
        test.UseOffline(References.Net10);
        return test;
    }
}
