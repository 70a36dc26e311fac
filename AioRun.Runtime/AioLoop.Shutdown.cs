using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// AioLoop: the calls the shutdown drives it through, as asyncio's runners drive theirs (cancel all tasks, run until
/// they are complete, shut the default executor down). Each runs the loop on the calling thread and ignores stop
/// requests, so that nothing on the loop can cut the shutdown short; <see cref="AioProgram"/> lines them up.
/// </summary>
public partial class AioLoop
{
    // Set by the cancel phase: from then on a new unprotected task starts cancelled. Loop thread only.
    private bool _cancelNewTasks;

    /// <summary>
    /// Runs <paramref name="work"/> as a protected task named <paramref name="name"/> and the loop until that task is
    /// done (the shutdown callback: it must not be cancelled by the phase that follows it).
    /// </summary>
    /// <returns>The task's outcome, observed: a failure is the caller's to report, not the exception handler's.</returns>
    internal Task RunUntilDone(Func<CancellationToken, Task> work, string name)
    {
        AioTask task = Schedule(new AioTask(this, work, name, string.Empty, 0, isProtected: true));
        Task outcome = task.AsTask();
        RunWhile(() => !task.IsDone, Timeout.InfiniteTimeSpan);
        return outcome;
    }

    /// <summary>How many tasks <see cref="CancelPendingTasks"/> would cancel now: the pending ones that are not protected.</summary>
    internal int CountTasksToCancel()
    {
        int count = 0;
        foreach (AioTask task in _tasks.Items)
        {
            if (!task.IsProtected && !task.IsDone)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Cancels every pending task that is not protected, logging <c>Cancelling task: name</c> for each (Debug). From
    /// now on tasks created on this loop start cancelled, unless protected.
    /// </summary>
    internal void CancelPendingTasks()
    {
        _cancelNewTasks = true;
        // Asked once: an unnamed task's name is made on demand, which 100,000 tasks should not pay for a line nobody reads.
        bool logEach = _logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug);
        foreach (AioTask task in _tasks.Snapshot())
        {
            if (task.IsProtected || task.IsDone)
            {
                continue;
            }

            if (logEach)
            {
                Log.CancellingTask(_logger, task.Name);
            }

            try
            {
                task.Cancel();
            }
            catch (Exception ex)
            {
                CallExceptionHandler(new AioExceptionContext("A cancellation callback threw", ex, task));
            }
        }
    }

    /// <summary>Runs the loop until every tracked task (protected ones included) is done, at most <paramref name="timeout"/> on the loop's clock.</summary>
    /// <param name="timeout">The longest wait; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <returns>Whether every task finished in time.</returns>
    internal bool RunUntilTasksDone(TimeSpan timeout) => RunWhile(() => _tasks.Count > 0, timeout);

    /// <summary>Runs the loop until all executor work has finished (its results resume on the loop meanwhile).</summary>
    internal void RunUntilExecutorIdle() => RunWhile(() => _executor.Pending > 0, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Runs the loop while <paramref name="keepRunning"/> holds, at most <paramref name="timeout"/> on the
    /// loop's clock. Stop requests made meanwhile are ignored: the shutdown phases use this.
    /// </summary>
    /// <returns>Whether <paramref name="keepRunning"/> became false (rather than the time running out).</returns>
    internal bool RunWhile(Func<bool> keepRunning, TimeSpan timeout)
    {
        EnterRunning();
        var timedOut = new StrongBox<bool>();
        TimerHandle? deadline = timeout == Timeout.InfiniteTimeSpan
            ? null
            : CallLater(timeout, () => timedOut.Value = true);
        try
        {
            while (keepRunning())
            {
                if (timedOut.Value)
                {
                    return false;
                }

                RunOnce(runNextTurns: false);
                _stopping = false;
            }

            return true;
        }
        finally
        {
            deadline?.Cancel();
            _stopping = false;
            ExitRunning();
        }
    }

    /// <summary>A task registered after the cancel phase began starts cancelled, unless protected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CancelIfCreatedDuringShutdown(AioTask task)
    {
        if (_cancelNewTasks && !task.IsProtected)
        {
            if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                Log.CancellingTask(_logger, task.Name);
            }

            task.Cancel();
        }
    }
}
