using System.Composition;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>AIO004: passes the enclosing function's CancellationToken, or <c>Aio.CancellationToken</c>, to the awaited call.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MissingCancellationCodeFix))]
[Shared]
public sealed class MissingCancellationCodeFix : LoopSafetyCodeFix
{
    /// <inheritdoc/>
    protected override string DiagnosticId => Descriptors.MissingCancellation.Id;

    /// <inheritdoc/>
    protected override string? Title(string fix, Diagnostic diagnostic, SyntaxNode node) =>
        fix == FixData.PassToken && node is InvocationExpressionSyntax && diagnostic.Properties.ContainsKey(FixData.TokenArgument)
            ? "Pass " + (diagnostic.Properties.TryGetValue(FixData.Token, out string? token) && token is not null ? token : "Aio.CancellationToken")
            : null;

    /// <inheritdoc/>
    protected override void Apply(FixSession session, string fix, Diagnostic diagnostic, SyntaxNode node)
    {
        diagnostic.Properties.TryGetValue(FixData.Token, out string? token);
        diagnostic.Properties.TryGetValue(FixData.TokenArgument, out string? argument);
        string? name = argument == FixData.Positional ? null : argument;
        session.Editor.ReplaceNode(node, (current, _) => AioSyntax.AddArgument((InvocationExpressionSyntax)current, AioSyntax.Token(token), name));
    }
}
