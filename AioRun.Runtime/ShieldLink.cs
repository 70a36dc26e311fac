using System;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// The protected work and its caller, shared by <see cref="ShieldCompletion"/> and <see cref="ShieldCompletion{T}"/>,
/// and the state of the task they hand out: a failure that nobody awaited is reported when the GC finds it.
/// </summary>
internal sealed class ShieldLink : IReportsUnobservedFailure, IReportedWait
{
    private CancellationTokenRegistration _callerCancelled;

    public ShieldLink(AioTask work, AioTask? caller)
    {
        Work = work;
        Caller = caller;
    }

    public AioTask Work { get; }

    /// <summary>The task that called <c>ShutdownWaitsFor</c>, if any; forgotten once the work is done (the handed-out task keeps the link).</summary>
    public AioTask? Caller { get; private set; }

    /// <summary>Whether the caller can no longer await the work (it is done, or was cancelled, or there is none).</summary>
    public bool CallerIsGone => Caller is not { IsDone: false, IsCancellationRequested: false };

    /// <summary>
    /// Cancels <paramref name="completion"/> when the caller is cancelled (at once if it already is); until then the
    /// caller's report line says it waits on the protected work.
    /// </summary>
    public void Watch(IShieldCompletion completion)
    {
        if (Caller is not null)
        {
            CancellationToken token = Caller.CancellationToken;
            _callerCancelled = token.UnsafeRegister(static (state, token) => ((IShieldCompletion)state!).CancelForCaller(token), completion);
            Caller.NoteWaitingOn(this);
        }
    }

    /// <summary>While the caller's await of the work goes on (the work runs, the caller was not cancelled): the work's name.</summary>
    public string? DescribeWait(in ReportTime time) =>
        Work.CompletionTaskIfAny is { IsCompleted: false } ? "waiting on protected work '" + Work.Name + "'" : null;

    /// <summary>The work is done: the caller's cancellation no longer matters. Does not wait for a callback running elsewhere.</summary>
    public void Unwatch()
    {
        _callerCancelled.Unregister();
        Caller = null;
    }

    public bool TryReportUnobserved(Task task, Exception error)
    {
        // The link is the state of the one task its completion hands out, which is the work's completion source.
        if (task != Work.CompletionTaskIfAny)
        {
            return false;
        }

        Work.Loop.ReportFromAnotherThread(new AioExceptionContext("Exception in ShutdownWaitsFor work that nobody awaited", error, Work));
        return true;
    }
}
