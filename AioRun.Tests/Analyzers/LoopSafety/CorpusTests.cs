using System.Collections.Concurrent;
using System.Collections.Immutable;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>The four rules over a generated corpus: exactly the expected diagnostics, and never an analyzer failure.</summary>
public class CorpusTests
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    [Fact]
    public async Task Two_thousand_valid_files_get_exactly_the_expected_diagnostics_and_no_analyzer_error()
    {
        List<LoopSafetyCorpus.File> files = LoopSafetyCorpus.Generate(2000, seed: 2024, minMethods: 1, maxMethods: 3);
        CSharpCompilation compilation = Compile(files.Select(f => (f.Name, f.Text)));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(5));

        (ImmutableArray<Diagnostic> diagnostics, List<Exception> failures) = await AnalyzeAsync(compilation);

        Assert.Empty(failures);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var byName = files.ToDictionary(f => f.Name);
        var expected = files.SelectMany(f => f.Diagnostics.Select(e => Key(f.Name, e.Id, e.Start, e.End))).ToHashSet();
        var actual = diagnostics.Select(d => Key(d.Location.SourceTree!.FilePath, d.Id, d.Location.SourceSpan.Start, d.Location.SourceSpan.End)).ToHashSet();
        Assert.True(expected.Count > 1500, $"the corpus should exercise the rules; it expects {expected.Count} diagnostics");

        string Describe(string key)
        {
            string[] parts = key.Split('|');
            string text = byName[parts[0]].Text;
            int start = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            int end = int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture);
            return $"{parts[0]} {parts[1]} '{text[start..end]}'";
        }

        List<string> missing = expected.Except(actual).Select(Describe).Take(10).ToList();
        List<string> unexpected = actual.Except(expected).Select(Describe).Take(10).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            "missing:\n  " + string.Join("\n  ", missing) + "\nunexpected:\n  " + string.Join("\n  ", unexpected));
    }

    [Fact]
    public async Task Malformed_files_never_make_an_analyzer_fail()
    {
        List<string> malformed = LoopSafetyCorpus.Malform(LoopSafetyCorpus.Generate(1000, seed: 7, minMethods: 1, maxMethods: 3), seed: 8);
        CSharpCompilation compilation = Compile(malformed.Select((text, i) => ("Broken" + i + ".cs", text)));
        Assert.NotEmpty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        (ImmutableArray<Diagnostic> diagnostics, List<Exception> failures) = await AnalyzeAsync(compilation);

        Assert.Empty(failures);
        Assert.All(diagnostics, d => Assert.Contains(d.Id, new[] { "AIO001", "AIO002", "AIO003", "AIO004" }));
        Assert.NotEmpty(diagnostics);
    }

    private static string Key(string file, string id, int start, int end) => $"{file}|{id}|{start}|{end}";

    private static CSharpCompilation Compile(IEnumerable<(string Name, string Text)> files) => CSharpCompilation.Create(
        "Corpus",
        files.Select(f => CSharpSyntaxTree.ParseText(f.Text, Parse, path: f.Name)),
        References.Net10,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static async Task<(ImmutableArray<Diagnostic>, List<Exception>)> AnalyzeAsync(Compilation compilation)
    {
        var failures = new ConcurrentQueue<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, _, _) => failures.Enqueue(exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers(LoopSafetyAnalyzers.All, options).GetAnalyzerDiagnosticsAsync();
        return (diagnostics, failures.ToList());
    }
}
