using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>AioTask: the handed-out task of <c>Aio.ShutdownWaitsFor</c>, when this task is the protected work.</summary>
public partial class AioTask
{
    /// <summary>
    /// The task that <c>Aio.ShutdownWaitsFor</c> hands its caller: the work's outcome, or cancelled as soon as the caller
    /// is. Unlike <see cref="AsTask"/> it does not count as observing: if the work fails once the caller is done or
    /// cancelled (so nobody can still await it), the failure goes to the exception handler at once; if it fails while
    /// the caller runs and the caller never awaits it, when the GC finds it unobserved.
    /// </summary>
    internal Task ShieldFor(AioTask? caller)
    {
        object created = NewShieldCompletion(caller);
        object source = Interlocked.CompareExchange(ref _completionSource, created, null) ?? created;
        if (IsDone)
        {
            Complete(source);
        }

        return (Task)TaskOf(source);
    }

    private protected virtual object NewShieldCompletion(AioTask? caller) => new ShieldCompletion(new ShieldLink(this, caller));
}
