using System;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>The owner of a task that AioRun hands out as a plain <see cref="Task"/>, set as that task's <see cref="Task.AsyncState"/>.</summary>
internal interface IReportsUnobservedFailure
{
    /// <summary>
    /// Hands the failure of <paramref name="task"/>, which nobody looked at, to the loop's exception handler, if the task
    /// is the one this owner handed out (a user's task may carry the same object as its state). Runs on the finalizer thread.
    /// </summary>
    /// <returns>Whether it was this owner's task (and so reported).</returns>
    bool TryReportUnobserved(Task task, Exception error);
}

/// <summary>
/// Failures of tasks that AioRun hands out as plain <see cref="Task"/>s (executor work, <c>ShutdownWaitsFor</c>), where it
/// cannot know whether anyone will await them: when the GC finds such a task faulted and unobserved, the failure goes to
/// the loop's exception handler, as asyncio reports a future whose exception was never retrieved. The task carries its
/// owner as <see cref="Task.AsyncState"/> (the finalizer sees the task as it was, which a weak table would not).
/// </summary>
internal static class UnobservedFailures
{
    static UnobservedFailures() => TaskScheduler.UnobservedTaskException += OnUnobservedTaskException;

    /// <summary>Makes sure the handler is installed (the first loop calls it).</summary>
    public static void Install()
    {
        // The static constructor does the work, once.
    }

    private static void OnUnobservedTaskException(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        if (sender is Task { AsyncState: IReportsUnobservedFailure owner } task
            && owner.TryReportUnobserved(task, e.Exception.InnerExceptions.Count == 1 ? e.Exception.InnerExceptions[0] : e.Exception))
        {
            e.SetObserved();
        }
    }
}
