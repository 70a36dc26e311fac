using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// What the loop-safety rules met in real code, and how they do on it now (the folder <c>RealCode/</c>; also compiled
/// into AioRun.Benchmarks, which prints the same figures). <c>labels.tsv</c> lists every diagnostic AIO001–AIO004
/// reported on six open-source async libraries (each compiled as its own project builds it, with AioRun referenced),
/// judged by reading the code, and the real problems they missed: the verdict (TP; D for the rule's documented intent;
/// FP; MISS; D-MISS for what the rules leave alone by design) and what the rules do with it now (<c>after</c>). The
/// libraries' code is not in this repository: each row names a case, a shape of that code rewritten small in
/// <c>RealCode/*.cs</c> on a line marked <c>// case: name</c>, and the rules run on those shapes.
/// </summary>
internal static class RealCodeCorpus
{
    public const string Header = "repo\tcommit\tpath\tline\trule\tverdict\tpattern\tafter\tcase\treason";

    public static IReadOnlyList<Label> ReadLabels(string folder)
    {
        string[] lines = File.ReadAllLines(Path.Combine(folder, "labels.tsv"));
        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new InvalidDataException("labels.tsv must start with the header: " + Header);
        }

        var labels = new List<Label>();
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split('\t');
            if (cells.Length != 10
                || !int.TryParse(cells[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)
                || cells[5] is not ("TP" or "D" or "FP" or "MISS" or "D-MISS")
                || cells[7] is not ("reported" or "silent" or "-")
                || (cells[5] == "D-MISS") != (cells[7] == "-"))
            {
                throw new InvalidDataException("A labels.tsv row that is not well formed (10 cells; verdict TP, D, FP, MISS or D-MISS; after reported, silent, or - for D-MISS only): " + line);
            }

            labels.Add(new Label(cells[0], cells[2], number, cells[4], cells[5], cells[7], cells[8]));
        }

        return labels;
    }

    /// <summary>Every line of <c>RealCode/*.cs</c> marked <c>// case: name</c>, by name.</summary>
    public static Dictionary<string, List<(string File, int Line)>> ReadCases(string folder)
    {
        var cases = new Dictionary<string, List<(string File, int Line)>>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal))
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

    /// <summary>Compiles the shapes and runs <paramref name="analyzers"/> on them: each AIO diagnostic as file, line and rule.</summary>
    public static async Task<HashSet<(string File, int Line, string Rule)>> RunRulesAsync(
        string folder, ImmutableArray<MetadataReference> references, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        IEnumerable<SyntaxTree> trees = Directory.GetFiles(folder, "*.cs")
            .Order(StringComparer.Ordinal)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path: Path.GetFileName(path)));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "RealCode",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new InvalidOperationException("The shapes of RealCode/ do not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())));
        }

        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync();
        if (diagnostics.FirstOrDefault(d => d.Id == "AD0001") is { } crash)
        {
            throw new InvalidOperationException("An analyzer crashed on the shapes of RealCode/: " + crash);
        }

        return diagnostics
            .Where(d => d.Id.StartsWith("AIO", StringComparison.Ordinal))
            .Select(d => (d.Location.SourceTree!.FilePath, d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Id))
            .ToHashSet();
    }

    /// <summary>
    /// Where the rules do not do what the labels expect: a case whose rows expect a diagnostic that is missing, or no
    /// diagnostic where there is one (a fixed false positive back, a real finding gone), a diagnostic no row expects,
    /// or a case without rows or rows without a case.
    /// </summary>
    public static List<string> Mismatches(IReadOnlyList<Label> labels, Dictionary<string, List<(string File, int Line)>> cases, HashSet<(string File, int Line, string Rule)> reported)
    {
        var problems = new List<string>();
        foreach (Label label in labels.Where(l => l.IsTrue && l.After == "silent"))
        {
            problems.Add($"{label.Where}: a real finding ({label.Verdict}) that the rules would no longer report");
        }

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
        foreach ((string file, int line, string rule) in reported.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Line))
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

        return problems;
    }

    /// <summary>Per rule: what was reported on the real code and how much of it was right, before the rules learned from it and now.</summary>
    public static string Figures(IReadOnlyList<Label> labels)
    {
        var text = new StringBuilder("rule    | before: reported  true false precision recall | now: reported  true false precision recall\n");
        foreach (IGrouping<string, Label> rule in labels.GroupBy(l => l.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int findings = rule.Count(l => l.IsTrue);
            int beforeTrue = rule.Count(l => l.Verdict is "TP" or "D");
            int beforeFalse = rule.Count(l => l.Verdict == "FP");
            int nowTrue = rule.Count(l => l.IsTrue && l.After == "reported");
            int nowFalse = rule.Count(l => l.Verdict == "FP" && l.After == "reported");
            text.AppendLine(CultureInfo.InvariantCulture, $"{rule.Key,-7} | {Row(beforeTrue, beforeFalse, findings)} | {Row(nowTrue, nowFalse, findings)}");
        }

        text.Append("precision: (TP + D) / reported; recall: reported real findings / all of them (TP, D, MISS; D-MISS, outside the rules by design, is not counted)");
        return text.ToString();

        static string Row(int right, int wrong, int all) => string.Create(
            CultureInfo.InvariantCulture,
            $"{right + wrong,16} {right,5} {wrong,5} {Percent(right, right + wrong),9} {Percent(right, all),6}");

        static string Percent(int part, int whole) => whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + " %";
    }

    public sealed record Label(string Repo, string Path, int Line, string Rule, string Verdict, string After, string Case)
    {
        /// <summary>A real finding: one the rule should report.</summary>
        public bool IsTrue => Verdict is "TP" or "D" or "MISS";

        public string Where => $"{Repo} {Path}:{Line}";
    }
}
