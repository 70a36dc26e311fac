using System.Runtime.CompilerServices;
using AioRun.Analyzers.Entry;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AioRun.Tests.Analyzers.Entry;

/// <summary>Every AIO1xx rule has its page under docs/rules, a help link to it, and a row in the release-tracking file.</summary>
public class EntryRuleDocumentationTests
{
    public static TheoryData<string> RuleIds => new(new EntryAnalyzer().SupportedDiagnostics.Select(d => d.Id));

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_entry_rule_is_documented_linked_and_tracked(string id)
    {
        DiagnosticDescriptor descriptor = new EntryAnalyzer().SupportedDiagnostics.Single(d => d.Id == id);
        string root = RepositoryRoot();

        Assert.Equal("AioRun.Entry", descriptor.Category);
        Assert.EndsWith($"/docs/rules/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        string page = File.ReadAllText(Path.Combine(root, "docs", "rules", id + ".md"));
        Assert.StartsWith($"# {id}: ", page, StringComparison.Ordinal);
        foreach (string section in new[] { "## What", "## Why", "## Example", "## Fix", "## Suppressing" })
        {
            Assert.Contains(section, page, StringComparison.Ordinal);
        }

        string unshipped = File.ReadAllText(Path.Combine(root, "AioRun.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains($"{id} | AioRun.Entry | {descriptor.DefaultSeverity} |", unshipped, StringComparison.Ordinal);
    }

    private static string RepositoryRoot([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));
}
