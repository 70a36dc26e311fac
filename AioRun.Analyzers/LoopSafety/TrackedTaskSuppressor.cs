using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Suppresses CS4014 ("this call is not awaited") for <c>Aio.CreateTask</c>, <c>AioLoop.CreateTask</c> and
/// <c>Aio.ShutdownWaitsFor</c>: their tasks are tracked by the loop, so not awaiting them is how they are meant
/// to be used (aiorun's <c>create_task</c> and bare <c>shutdown_waits_for</c>). Every other unawaited call keeps
/// its warning.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TrackedTaskSuppressor : DiagnosticSuppressor
{
    /// <summary>The suppression: CS4014 on a tracked-task creator.</summary>
    public static readonly SuppressionDescriptor NotAwaitedTrackedTask = new(
        "AIOSPR4014",
        "CS4014",
        "The task is tracked by the AioRun loop: the shutdown cancels it (or, for ShutdownWaitsFor, waits for it), so it need not be awaited.");

    /// <inheritdoc/>
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(NotAwaitedTrackedTask);

    /// <inheritdoc/>
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        INamedTypeSymbol? aioLoop = context.Compilation.GetTypeByMetadataName("AioRun.AioLoop");
        if (aioLoop is null)
        {
            return;
        }

        INamedTypeSymbol? aio = context.Compilation.GetTypeByMetadataName("AioRun.Aio");
        foreach (Diagnostic diagnostic in context.ReportedDiagnostics)
        {
            if (diagnostic.Location.SourceTree is not { } tree)
            {
                continue;
            }

            SyntaxNode node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is not InvocationExpressionSyntax invocation)
            {
                continue;
            }

            SemanticModel model = context.GetSemanticModel(tree);
            if (model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is IMethodSymbol method
                && IsTrackedTaskCreator(method, aio, aioLoop))
            {
                context.ReportSuppression(Suppression.Create(NotAwaitedTrackedTask, diagnostic));
            }
        }
    }

    private static bool IsTrackedTaskCreator(IMethodSymbol method, INamedTypeSymbol? aio, INamedTypeSymbol aioLoop)
    {
        INamedTypeSymbol type = method.ContainingType;
        return method.Name switch
        {
            "CreateTask" => SymbolEqualityComparer.Default.Equals(type, aio) || SymbolEqualityComparer.Default.Equals(type, aioLoop),
            "ShutdownWaitsFor" => SymbolEqualityComparer.Default.Equals(type, aio),
            _ => false,
        };
    }
}
