using System.Collections.Immutable;
using System.Text.RegularExpressions;
using AioRun.Analyzers.CodeFixes;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// Keeps AioRun.Samples/LoopSafety honest: its Firing.cs gets exactly the diagnostics its comments name, its other
/// files none, and the code fixes turn Firing.cs into the methods of Fixed.cs.
/// </summary>
public class LoopSafetySampleTests
{
    private static readonly ImmutableArray<CodeFixProvider> Fixes = ImmutableArray.Create<CodeFixProvider>(
        new UntrackedWorkCodeFix(), new ShieldCodeFix(), new BlockingCallCodeFix(), new MissingCancellationCodeFix());

    private static readonly string SampleFolder = Path.Combine(Repository.Root, "AioRun.Samples", "LoopSafety");

    [Fact]
    public async Task The_sample_gets_exactly_the_diagnostics_its_comments_name()
    {
        CSharpCompilation compilation = Compile(SampleSources());
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(LoopSafetyAnalyzers.All, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, true, false, reportSuppressedDiagnostics: true))
            .GetAllDiagnosticsAsync();

        var expected = File.ReadAllLines(Path.Combine(SampleFolder, "Firing.cs"))
            .Select((text, index) => (Match: Regex.Match(text, @"// (AIO00\d)$"), Line: index + 1))
            .Where(l => l.Match.Success)
            .Select(l => $"Firing.cs:{l.Line}:{l.Match.Groups[1].Value}")
            .ToList();
        var actual = diagnostics.Where(d => d.Id.StartsWith("AIO", StringComparison.Ordinal))
            .Select(d => $"{Path.GetFileName(d.Location.SourceTree!.FilePath)}:{d.Location.GetLineSpan().StartLinePosition.Line + 1}:{d.Id}")
            .ToList();

        Assert.Equal(4, expected.Select(e => e.Split(':')[2]).Distinct().Count());
        Assert.Equal(expected.Order(), actual.Order());
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS4014" && !d.IsSuppressed);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public async Task The_code_fixes_turn_Firing_into_Fixed()
    {
        using var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject("LoopSafety", LanguageNames.CSharp)
            .WithMetadataReferences(References.Net10)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest));
        DocumentId firingId = default!;
        foreach ((string name, string text) in SampleSources())
        {
            Document document = project.AddDocument(name, text);
            project = document.Project;
            if (name == "Firing.cs")
            {
                firingId = document.Id;
            }
        }

        Solution solution = project.Solution;
        for (int round = 0; round < 50; round++)
        {
            Document firing = solution.GetDocument(firingId)!;
            Compilation compilation = (await firing.Project.GetCompilationAsync())!;
            Diagnostic? next = (await compilation.WithAnalyzers(LoopSafetyAnalyzers.All).GetAnalyzerDiagnosticsAsync())
                .Where(d => d.Location.SourceTree == compilation.SyntaxTrees.Single(t => t.FilePath == firing.FilePath || t.FilePath.EndsWith("Firing.cs", StringComparison.Ordinal)))
                .OrderBy(d => d.Location.SourceSpan.Start)
                .FirstOrDefault();
            if (next is null)
            {
                break;
            }

            CodeAction? action = null;
            CodeFixProvider fix = Fixes.Single(f => f.FixableDiagnosticIds.Contains(next.Id));
            await fix.RegisterCodeFixesAsync(new CodeFixContext(firing, next, (a, _) => action ??= a, CancellationToken.None));
            Assert.True(action is not null, $"no fix offered for {next}");
            ApplyChangesOperation apply = (await action!.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
            solution = apply.ChangedSolution;
        }

        SyntaxNode fixedRoot = (await solution.GetDocument(firingId)!.GetSyntaxRootAsync())!;
        string expected = await File.ReadAllTextAsync(Path.Combine(SampleFolder, "Fixed.cs"));
        Dictionary<string, string> want = Bodies(CSharpSyntaxTree.ParseText(expected).GetRoot(), "Fixed");
        Dictionary<string, string> got = Bodies(fixedRoot, "Firing");
        Assert.Equal(want.Keys.Order(), got.Keys.Order());
        foreach ((string method, string body) in want)
        {
            Assert.Equal(body, got[method]);
        }
    }

    /// <summary>The method bodies of a class, comments dropped and white space collapsed.</summary>
    private static Dictionary<string, string> Bodies(SyntaxNode root, string className) =>
        root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == className)
            .Members.OfType<MethodDeclarationSyntax>()
            .ToDictionary(
                m => m.Identifier.ValueText,
                m => Regex.Replace(Regex.Replace(m.Body!.ToFullString(), @"//[^\n]*", string.Empty), @"\s+", " ").Trim() + " returns " + m.ReturnType + (m.Modifiers.Any(SyntaxKind.AsyncKeyword) ? " async" : ""));

    private static List<(string Name, string Text)> SampleSources() =>
        Directory.GetFiles(SampleFolder, "*.cs")
            .Select(path => (Path.GetFileName(path), File.ReadAllText(path)))
            .Append(("GlobalUsings.g.cs", TestSource.GlobalUsings))
            .ToList();

    /// <summary>The sample as its build compiles it: its entry is an [AioRunEntry], so the generator writes the program.</summary>
    private static CSharpCompilation Compile(IEnumerable<(string Name, string Text)> sources)
    {
        var compilation = CSharpCompilation.Create(
            "LoopSafety",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, new CSharpParseOptions(LanguageVersion.Latest), path: s.Name)),
            References.Net10,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(new AioRun.Generator.AioRunEntryGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation withProgram, out _);
        return (CSharpCompilation)withProgram;
    }
}
