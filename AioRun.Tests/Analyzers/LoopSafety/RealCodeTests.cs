using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// The loop-safety rules against what they met in real code. <c>RealCode/labels.tsv</c> lists every diagnostic
/// AIO001–AIO004 reported on four open-source async libraries (each compiled as its own project builds it, with AioRun
/// referenced), judged by reading the code, and the real problems they missed: its verdict (TP, D for the rule's
/// documented intent, FP, MISS, or D-MISS for what the rules leave alone by design), and what the rules do with it now
/// (<c>after</c>). The libraries' code is not in this repository: each row names a case, a shape of that code rewritten
/// small in <c>RealCode/*.cs</c>, and this test runs the rules on those shapes. It fails when a fixed false positive
/// comes back, when a real finding disappears, or when a shape gets a diagnostic its rows do not expect; it prints
/// precision and recall per rule, before and after.
/// </summary>
public class RealCodeTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "AioRun.Tests", "Analyzers", "LoopSafety", "RealCode");

    private readonly ITestOutputHelper _output;

    public RealCodeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Every_labelled_diagnostic_of_the_real_code_gets_what_its_label_expects()
    {
        IReadOnlyList<Label> labels = ReadLabels();
        Dictionary<string, List<(string File, int Line)>> cases = ReadCases();
        HashSet<(string File, int Line, string Rule)> reported = await RunRulesAsync();
        var problems = new List<string>();

        foreach (IGrouping<(string Case, string Rule), Label> group in labels.Where(l => l.Case != "-").GroupBy(l => (l.Case, l.Rule)))
        {
            string[] expected = group.Select(l => l.After).Distinct().ToArray();
            if (expected.Length != 1)
            {
                problems.Add($"case {group.Key.Case}: its {group.Key.Rule} rows expect both {string.Join(" and ", expected)}");
                continue;
            }

            if (!cases.TryGetValue(group.Key.Case, out List<(string File, int Line)>? places))
            {
                problems.Add($"case {group.Key.Case}: no line of RealCode/*.cs is marked with it");
                continue;
            }

            bool shouldReport = expected[0] == "reported";
            foreach ((string file, int line) in places)
            {
                if (reported.Contains((file, line, group.Key.Rule)) != shouldReport)
                {
                    problems.Add($"case {group.Key.Case} ({file}:{line}): {group.Key.Rule} should be {expected[0]} ({group.Count()} labelled rows, e.g. {group.First().Where})");
                }
            }
        }

        var expectedReports = labels.Where(l => l.After == "reported").Select(l => (l.Case, l.Rule)).ToHashSet();
        foreach ((string file, int line, string rule) in reported)
        {
            string? name = cases.FirstOrDefault(c => c.Value.Contains((file, line))).Key;
            if (name is null || !expectedReports.Contains((name, rule)))
            {
                problems.Add($"{file}:{line}: {rule} is reported, but no labelled row expects it there");
            }
        }

        foreach (string name in cases.Keys.Where(name => labels.All(l => l.Case != name)))
        {
            problems.Add($"case {name}: marked in RealCode/*.cs, but no labelled row names it");
        }

        _output.WriteLine(Figures(labels));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Per rule: what was reported on the real code and how much of it was right, before the rules learned from it and now.</summary>
    private static string Figures(IReadOnlyList<Label> labels)
    {
        var text = new StringBuilder("rule    | before: reported true false precision recall | after: reported true false precision recall\n");
        foreach (IGrouping<string, Label> rule in labels.GroupBy(l => l.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int problemsToFind = rule.Count(l => l.IsTrue);
            int beforeTrue = rule.Count(l => l.Verdict is "TP" or "D");
            int beforeFalse = rule.Count(l => l.Verdict == "FP");
            int afterTrue = rule.Count(l => l.IsTrue && l.After == "reported");
            int afterFalse = rule.Count(l => l.Verdict == "FP" && l.After == "reported");
            text.AppendLine(CultureInfo.InvariantCulture, $"{rule.Key,-7} | {Row(beforeTrue, beforeFalse, problemsToFind)} | {Row(afterTrue, afterFalse, problemsToFind)}");
        }

        text.Append("Precision: (TP + D) / reported. Recall: reported real findings / all of them (TP, D and MISS; D-MISS is outside the rules by design).");
        return text.ToString();

        static string Row(int right, int wrong, int all) => string.Create(
            CultureInfo.InvariantCulture,
            $"{right + wrong,8} {right,4} {wrong,5} {Percent(right, right + wrong),9} {Percent(right, all),6}");

        static string Percent(int part, int whole) => whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + " %";
    }

    private static async Task<HashSet<(string File, int Line, string Rule)>> RunRulesAsync()
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        IEnumerable<SyntaxTree> trees = Directory.GetFiles(Folder, "*.cs")
            .Order(StringComparer.Ordinal)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path: Path.GetFileName(path)))
            .Append(CSharpSyntaxTree.ParseText(TestSource.GlobalUsings, parseOptions, path: "GlobalUsings.g.cs"));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "RealCode",
            trees,
            References.Net10,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The shapes do not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())));

        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(LoopSafetyAnalyzers.All, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics
            .Where(d => d.Id.StartsWith("AIO", StringComparison.Ordinal))
            .Select(d => (d.Location.SourceTree!.FilePath, d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id))
            .ToHashSet();
    }

    /// <summary>Every line of RealCode/*.cs marked <c>// case: name</c>, by name.</summary>
    private static Dictionary<string, List<(string File, int Line)>> ReadCases()
    {
        var cases = new Dictionary<string, List<(string File, int Line)>>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(Folder, "*.cs"))
        {
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                Match marker = Regex.Match(lines[i], @"// case: ([a-z0-9-]+)$");
                if (marker.Success)
                {
                    string name = marker.Groups[1].Value;
                    (cases.TryGetValue(name, out var places) ? places : cases[name] = new()).Add((Path.GetFileName(path), i + 1));
                }
            }
        }

        return cases;
    }

    private static IReadOnlyList<Label> ReadLabels()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Folder, "labels.tsv"));
        Assert.Equal("repo\tcommit\tpath\tline\trule\tverdict\tpattern\tafter\tcase\treason", lines[0]);
        var labels = new List<Label>();
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split('\t');
            Assert.True(cells.Length == 10, "A labels.tsv row without its 10 cells: " + line);
            var label = new Label(cells[0], cells[2], int.Parse(cells[3], CultureInfo.InvariantCulture), cells[4], cells[5], cells[7], cells[8]);
            Assert.Contains(label.Verdict, new[] { "TP", "D", "FP", "MISS", "D-MISS" });
            Assert.Contains(label.After, new[] { "reported", "silent", "-" });
            Assert.True((label.Verdict == "D-MISS") == (label.After == "-"), "Only a D-MISS row has no 'after': " + line);
            Assert.False(label.IsTrue && label.After == "silent", "A real finding the rules no longer report: " + line);
            labels.Add(label);
        }

        return labels;
    }

    private sealed record Label(string Repo, string Path, int Line, string Rule, string Verdict, string After, string Case)
    {
        /// <summary>A real finding: one the rule should report.</summary>
        public bool IsTrue => Verdict is "TP" or "D" or "MISS";

        public string Where => $"{Repo} {Path}:{Line}";
    }
}
