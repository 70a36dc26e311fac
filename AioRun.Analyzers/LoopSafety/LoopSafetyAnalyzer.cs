using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// What the four loop-safety analyzers share: concurrent, and active only in compilations that reference AioRun
/// (decided once per compilation). The driver skips generated code: without
/// <see cref="GeneratedCodeAnalysisFlags.Analyze"/> it runs no action of ours there, and
/// <see cref="GeneratedCodeAnalysisFlags.ReportDiagnostics"/> spares it checking each diagnostic for a generated
/// location (which <see cref="GeneratedCodeAnalysisFlags.None"/> would make it do): our actions report only where they ran.
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
