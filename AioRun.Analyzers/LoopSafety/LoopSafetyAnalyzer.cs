using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// What the four loop-safety analyzers share: concurrent, active only in compilations that reference AioRun
/// (decided once per compilation), and generated code skipped by the rules themselves (see
/// <see cref="LoopCode"/>) rather than by the driver's per-diagnostic scan.
/// </summary>
public abstract class LoopSafetyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            KnownSymbols? known = KnownSymbols.TryCreate(start.Compilation);
            if (known is not null)
            {
                OnCompilationStart(start, new LoopCode(known));
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that references AioRun.</summary>
    /// <param name="start">The compilation's start context.</param>
    /// <param name="loop">What is code on the loop, for this compilation.</param>
    private protected abstract void OnCompilationStart(CompilationStartAnalysisContext start, LoopCode loop);
}
