using System.Collections.Immutable;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// Runs the testing framework offline: the .NET 10 reference assemblies come from Basic.Reference.Assemblies
/// and AioRun from the built AioRun.dll, instead of packages the framework would download.
/// </summary>
internal static class TestReferences
{
    public static readonly ImmutableArray<MetadataReference> Framework =
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().ToImmutableArray();

    public static readonly MetadataReference AioRun = MetadataReference.CreateFromFile(typeof(Aio).Assembly.Location);

    public static readonly ImmutableArray<MetadataReference> All = Framework.Add(AioRun);

    /// <summary>An empty reference set: the framework then adds only <see cref="All"/>.</summary>
    public static readonly ReferenceAssemblies None = new("net10.0");

    /// <summary>The usings every test source starts with.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using AioRun;

        """;

    /// <summary><paramref name="members"/> inside <c>partial class C</c>, after <see cref="Usings"/>, then <paramref name="helpers"/>.</summary>
    public static string InClass(string members, string helpers = "") =>
        Usings + "partial class C\n{\n" + members + (helpers.Length > 0 ? "\n" + helpers + "\n" : "") + "}\n";
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

    public static CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> Create(string source, bool referenceAioRun = true)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.AdditionalReferences.AddRange(referenceAioRun ? TestReferences.All : TestReferences.Framework);
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
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        return test;
    }
}
