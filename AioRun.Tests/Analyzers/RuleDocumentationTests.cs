using System.Reflection;
using System.Text.RegularExpressions;
using AioRun.Analyzers.Entry;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Analyzers;

/// <summary>
/// Every rule of every analyzer in AioRun.Analyzers has its category, a help link to its page under docs/rules, a page
/// with the same sections as the others, and a row in the release-tracking files; and every rule page has its rule.
/// </summary>
public class RuleDocumentationTests
{
    /// <summary>The sections every rule page has, in this order.</summary>
    private static readonly string[] Sections = { "## What", "## Why", "## Example", "## Fix", "## Suppressing" };

    /// <summary>The rules of every <c>[DiagnosticAnalyzer]</c> in AioRun.Analyzers, found by reflection (suppressors report none).</summary>
    private static readonly Dictionary<string, DiagnosticDescriptor> Rules = typeof(EntryAnalyzer).Assembly.GetTypes()
        .Where(type => type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null && !type.IsAbstract && !typeof(DiagnosticSuppressor).IsAssignableFrom(type))
        .SelectMany(type => ((DiagnosticAnalyzer)Activator.CreateInstance(type)!).SupportedDiagnostics)
        .DistinctBy(rule => rule.Id)
        .ToDictionary(rule => rule.Id);

    private static readonly string RulePages = Path.Combine(Repository.Root, "docs", "rules");

    public static TheoryData<string> RuleIds => new(Rules.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_rule_has_its_category_and_is_documented_linked_and_tracked(string id)
    {
        DiagnosticDescriptor rule = Rules[id];

        Assert.Equal(CategoryOf(id), rule.Category);
        Assert.EndsWith($"/docs/rules/{id}.md", rule.HelpLinkUri, StringComparison.Ordinal);

        string[] page = File.ReadAllLines(Path.Combine(RulePages, id + ".md"));
        Assert.Equal($"# {id}: {rule.Title}", page[0]);
        int[] sectionLines = Sections.Select(section => Array.IndexOf(page, section)).ToArray();
        Assert.True(sectionLines.All(line => line > 0), $"{id}.md lacks a section of {string.Join(", ", Sections)}.");
        Assert.True(sectionLines.SequenceEqual(sectionLines.Order()), $"{id}.md has its sections out of the order {string.Join(", ", Sections)}.");

        string releases = File.ReadAllText(Path.Combine(Repository.Root, "AioRun.Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(Repository.Root, "AioRun.Analyzers", "AnalyzerReleases.Shipped.md"));
        Assert.Contains($"{id} | {rule.Category} | {rule.DefaultSeverity} |", releases, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_page_belongs_to_a_rule()
    {
        string[] pages = Directory.GetFiles(RulePages, "*.md")
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Where(name => Regex.IsMatch(name, @"^AIO\d+$"))
            .ToArray();

        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.True(Rules.ContainsKey(page), $"docs/rules/{page}.md documents a rule that no analyzer in AioRun.Analyzers reports."));
    }

    /// <summary>AIO0xx are the loop-safety rules, AIO1xx the entry rules.</summary>
    private static string CategoryOf(string id) => Regex.Match(id, @"^AIO(\d)\d\d$").Groups[1].Value switch
    {
        "0" => "AioRun.LoopSafety",
        "1" => "AioRun.Entry",
        _ => throw new Xunit.Sdk.XunitException($"{id} is in no known range of rule ids (AIO0xx loop safety, AIO1xx entry)."),
    };
}
