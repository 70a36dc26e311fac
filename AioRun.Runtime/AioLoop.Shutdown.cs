using System;
using System.Collections.Generic;
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

    // The thread running the cancel phase, while it runs (0 otherwise): the loop is not running then, and that thread is
    // the one that ran it, so what the cancellations post (await continuations, sleeps ending) goes straight onto the
    // ready queue, as it would on the running loop, instead of through the thread-safe queue.
    private int _cancelPhaseThread;

    // Phase 3's work added by libraries; null once phase 3 took the last of it. Guarded by _participantsGate.
    private readonly object _participantsGate = new();
    private List<ShutdownParticipant>? _participants = new();

    /// <summary>
    /// Adds work that the shutdown runs in phase 3, after the shutdown callback and before the pending tasks are
    /// cancelled: the way a library takes part in the shutdown (AioRun.Hosting stops its host there).
    /// <see cref="AioProgram.RunShutdownParticipants"/> runs each, in the order they were added, as a protected task (the
    /// cancel phase does not cancel it), and runs the loop until it is done. A failure counts as the shutdown callback's:
    /// the exit code is 1 after the shutdown, unless an unhandled error already stopped the loop. Any thread.
    /// </summary>
    /// <param name="participant">The work, on the loop; its token is its task's, which the shutdown does not cancel.</param>
    /// <param name="name">The task's name, for the task report and the refused-to-exit warning; default <c>shutdown_participant</c>.</param>
    /// <exception cref="InvalidOperationException">Phase 3 already ran the participants.</exception>
    public void AddShutdownParticipant(Func<CancellationToken, Task> participant, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(participant);
        lock (_participantsGate)
        {
            if (_participants is null)
            {
                throw new InvalidOperationException(
                    "AioLoop.AddShutdownParticipant was called after the shutdown ran its participants (phase 3); add them before the loop stops.");
            }

            _participants.Add(new ShutdownParticipant(participant, name ?? "shutdown_participant"));
        }
    }

    /// <summary>
    /// Raised once by <see cref="Close"/>, before the loop closes, on the thread that closes it: in a program, after the
    /// executor phase and before <c>Leaving. Bye!</c> (AioRun.Hosting fires the host's <c>ApplicationStopped</c> here).
    /// Work posted to the loop meanwhile is dropped. A handler that throws goes to the exception handler.
    /// </summary>
    public event EventHandler? Closing;

    /// <summary>
    /// Raised once by <see cref="Close"/>, after the loop closed, on the thread that closes it: in a program, after
    /// <c>Leaving. Bye!</c>, the last line (AioRun.Hosting disposes its host here, so that the host's loggers write that line
    /// first). A handler that throws goes to the exception handler.
    /// </summary>
    public event EventHandler? Closed;

    /// <summary>
    /// The next participant of phase 3, or <see langword="null"/> when none is left (from then on, adding one is refused).
    /// Participants added while phase 3 runs are run in the same phase.
    /// </summary>
    internal ShutdownParticipant? TakeShutdownParticipant()
    {
        lock (_participantsGate)
        {
            if (_participants is null || _participants.Count == 0)
            {
                _participants = null;
                return null;
            }

            ShutdownParticipant next = _participants[0];
            _participants.RemoveAt(0);
            return next;
        }
    }

    /// <summary>Runs the handlers of <see cref="Closing"/> or <see cref="Closed"/>, each on its own: one that throws does not stop the others.</summary>
    private void RaiseCloseEvent(EventHandler? handlers, string name)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (Delegate handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler)handler)(this, EventArgs.Empty);
            }
            catch (Exception ex)
            {
                CallExceptionHandler(new AioExceptionContext($"A handler of AioLoop.{name} threw", ex));
            }
        }
    }

    /// <summary>Work a library added to phase 3 (<see cref="AddShutdownParticipant"/>).</summary>
    internal sealed record ShutdownParticipant(Func<CancellationToken, Task> Work, string Name);

    /// <summary>
    /// Runs <paramref name="work"/> as a protected task named <paramref name="name"/> and the loop until that task is
    /// done (the shutdown callback: it must not be cancelled by the phase that follows it).
    /// </summary>
    /// <returns>The task's outcome, observed: a failure is the caller's to report, not the exception handler's.</returns>
    internal Task RunUntilDone(Func<CancellationToken, Task> work, string name)
    {
        // No source line made it: the report and the errors say "created at AioRun's shutdown (phase 3)".
        AioTask task = Schedule(new AioTask(this, work, name, "AioRun's shutdown (phase 3)", 0, isProtected: true));
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
        bool onOwner = _status == StatusIdle && IsOwnedByCurrentThread;
        if (onOwner)
        {
            Volatile.Write(ref _cancelPhaseThread, Environment.CurrentManagedThreadId);
        }

        try
        {
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
        finally
        {
            if (onOwner)
            {
                Volatile.Write(ref _cancelPhaseThread, 0);
            }
        }
    }

    /// <summary>Whether the calling thread runs the cancel phase now (see <see cref="_cancelPhaseThread"/>).</summary>
    private bool InCancelPhaseOnThisThread()
    {
        int thread = Volatile.Read(ref _cancelPhaseThread);
        return thread != 0 && thread == Environment.CurrentManagedThreadId;
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
