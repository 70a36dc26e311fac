using Microsoft.CodeAnalysis;

namespace AioRun.Analyzers;

internal static partial class Descriptors
{
    /// <summary>AIO001: work started off the loop, or a task dropped, that the shutdown neither cancels nor waits for.</summary>
    public static readonly DiagnosticDescriptor UntrackedWork = Rule(
        "AIO001",
        "Untracked work",
        "{0}: the loop does not track this work, so the shutdown neither cancels it nor waits for it (use {1})",
        LoopSafetyCategory,
        DiagnosticSeverity.Warning,
        "Task.Run, TaskFactory.StartNew, ThreadPool.QueueUserWorkItem, new Thread and tasks that are dropped without being awaited " +
        "run outside the loop's bookkeeping: at shutdown they are not cancelled, not waited for, and the process may exit under them. " +
        "Aio.RunInExecutor (synchronous work) and Aio.CreateTask (asynchronous work) are tracked.");

    /// <summary>AIO002: a wait that lets the caller leave while the work goes on, and that the shutdown does not wait for.</summary>
    public static readonly DiagnosticDescriptor ShieldShutdownIgnores = Rule(
        "AIO002",
        "Shield that the shutdown ignores",
        "{0} lets the caller stop waiting while the work goes on, but the shutdown does not wait for that work (use Aio.ShutdownWaitsFor)",
        LoopSafetyCategory,
        DiagnosticSeverity.Warning,
        "work.WaitAsync(token) and Task.WhenAny(work, <a cancellable delay>) behave like asyncio.shield: when the shutdown cancels the caller, " +
        "the work goes on, but nothing tracks it, so the process can exit while it is half done. Aio.ShutdownWaitsFor protects the work and the shutdown waits for it.");

    /// <summary>AIO003: a call that blocks the loop thread.</summary>
    public static readonly DiagnosticDescriptor BlockingCall = Rule(
        "AIO003",
        "Blocking call on the loop thread",
        "'{0}' blocks the loop thread: every task on the loop stalls until it returns, or deadlocks (use {1})",
        LoopSafetyCategory,
        DiagnosticSeverity.Warning,
        "The loop runs every task on one thread. A synchronous wait (.Result, .Wait(), GetAwaiter().GetResult(), Task.WaitAll, Thread.Sleep, " +
        "SemaphoreSlim.Wait, ...) or a synchronous member that has an awaitable twin stalls all of them, and waiting for work that needs the loop never ends.");

    /// <summary>AIO004: an awaited call that could take a CancellationToken but gets none.</summary>
    public static readonly DiagnosticDescriptor MissingCancellation = Rule(
        "AIO004",
        "Cancellation that cannot arrive",
        "'{0}' accepts a CancellationToken but gets none: the shutdown cannot cancel this await (pass {1})",
        LoopSafetyCategory,
        DiagnosticSeverity.Warning,
        ".NET cancellation is cooperative: the shutdown cancels a task's token, and only awaits that observe that token stop. " +
        "An awaited call that accepts a token but gets none runs on until it finishes by itself, holding up the shutdown.");
}
