using System.Collections.Immutable;
using System.Threading;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Generator;

/// <summary>
/// The generated top-level statements are the entry point, so the compiler warns that it ignores the user's <c>Main</c>
/// (CS7022). That is the design for a method marked <c>[AioRunEntry]</c>, and only for such a method is the warning suppressed.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class EntryPointSuppressor : DiagnosticSuppressor
{
    /// <summary>The suppression of CS7022 for <c>[AioRunEntry]</c> methods.</summary>
    public static readonly SuppressionDescriptor IgnoredMainEntryPoint = new(
        id: "AIOSPR7022",
        suppressedDiagnosticId: "CS7022",
        justification: "The method is marked [AioRunEntry]: the program AioRun generates is the entry point and runs it.");

    /// <inheritdoc/>
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(IgnoredMainEntryPoint);

    /// <inheritdoc/>
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (Diagnostic diagnostic in context.ReportedDiagnostics)
        {
            if (IsOnEntry(context, diagnostic, context.CancellationToken))
            {
                context.ReportSuppression(Suppression.Create(IgnoredMainEntryPoint, diagnostic));
            }
        }
    }

    private static bool IsOnEntry(SuppressionAnalysisContext context, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        SyntaxTree? tree = diagnostic.Location.SourceTree;
        if (tree is null)
        {
            return false;
        }

        SyntaxNode node = tree.GetRoot(cancellationToken).FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        MethodDeclarationSyntax? declaration = node.FirstAncestorOrSelf<MethodDeclarationSyntax>();
        if (declaration is null || declaration.AttributeLists.Count == 0)
        {
            return false;
        }

        return context.GetSemanticModel(tree).GetDeclaredSymbol(declaration, cancellationToken) is IMethodSymbol method
            && EntryAttribute.Find(method) is not null;
    }
}
