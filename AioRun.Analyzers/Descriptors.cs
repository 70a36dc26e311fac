using Microsoft.CodeAnalysis;

namespace AioRun.Analyzers;

/// <summary>
/// The one table of AioRun's diagnostics. Each rule is declared in a part of this class
/// (<c>Descriptors.LoopSafety.cs</c> for AIO0xx, <c>Descriptors.Entry.cs</c> for AIO1xx) through <see cref="Rule"/>,
/// so that ids, help links and categories follow one pattern.
/// </summary>
internal static partial class Descriptors
{
    /// <summary>Loop-safety rules (AIO0xx).</summary>
    public const string LoopSafetyCategory = "AioRun.LoopSafety";

    /// <summary>Entry-point rules (AIO1xx).</summary>
    public const string EntryCategory = "AioRun.Entry";

    private const string HelpLinkBase = "https://github.com/aiorun-dotnet/aiorun/blob/main/docs/rules/";

    /// <summary>The help link of a rule: its page under <c>docs/rules/</c>.</summary>
    public static string HelpLink(string id) => HelpLinkBase + id + ".md";

    private static DiagnosticDescriptor Rule(
        string id,
        string title,
        string messageFormat,
        string category,
        DiagnosticSeverity severity,
        string description,
        params string[] customTags) =>
        new(id, title, messageFormat, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLink(id), customTags: customTags);
}
