using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Suppresses CS4014 ("this call is not awaited") for the calls whose work AioRun tracks (see
/// <see cref="KnownSymbols.IsTrackedWork"/>): <c>CreateTask</c>, <c>ShutdownWaitsFor</c>, <c>RunInExecutor</c> and
/// <c>AioTask.AsTask</c>, with or without <c>ConfigureAwait</c>. Not awaiting them is how they are meant to be used
/// (aiorun's <c>create_task</c> and bare <c>shutdown_waits_for</c>): the shutdown cancels or waits for the work. AIO001 is
/// silent on exactly these calls; every other unawaited call keeps its warning.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TrackedTaskSuppressor : DiagnosticSuppressor
{
    /// <summary>The suppression: CS4014 on a call whose work the loop tracks.</summary>
    public static readonly SuppressionDescriptor NotAwaitedTrackedTask = new(
        "AIOSPR4014",
        "CS4014",
        "The work is tracked by the AioRun loop: the shutdown cancels it or waits for it, so it need not be awaited.");

    /// <inheritdoc/>
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(NotAwaitedTrackedTask);

    /// <inheritdoc/>
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        if (KnownSymbols.TryCreate(context.Compilation) is not { } known)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.ReportedDiagnostics)
        {
            if (diagnostic.Location.SourceTree is not { } tree)
            {
                continue;
            }

            SyntaxNode node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is InvocationExpressionSyntax invocation
                && context.GetSemanticModel(tree).GetOperation(invocation, context.CancellationToken) is IInvocationOperation operation
                && operation.WithoutConfigureAwait(known) is IInvocationOperation call
                && known.IsTrackedWork(call.TargetMethod))
            {
                context.ReportSuppression(Suppression.Create(NotAwaitedTrackedTask, diagnostic));
            }
        }
    }
}
