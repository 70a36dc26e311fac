using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// What the caller of <c>Aio.ShutdownWaitsFor</c> gets: the protected work's outcome, or a cancellation as soon as the
/// caller itself is cancelled (the work goes on). It knows the caller, to tell whether anyone may still await it.
/// </summary>
internal interface IShieldCompletion
{
    ShieldLink Link { get; }

    /// <summary>Cancels the caller's task, with the caller's token. Any thread.</summary>
    void CancelForCaller(CancellationToken callerToken);
}

internal sealed class ShieldCompletion : TaskCompletionSource, IShieldCompletion
{
    public ShieldCompletion(ShieldLink link)
        : base(link, TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Link = link;
        link.Watch(this);
    }

    public ShieldLink Link { get; }

    public void CancelForCaller(CancellationToken callerToken) => TrySetCanceled(callerToken);
}

internal sealed class ShieldCompletion<T> : TaskCompletionSource<T>, IShieldCompletion
{
    public ShieldCompletion(ShieldLink link)
        : base(link, TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Link = link;
        link.Watch(this);
    }

    public ShieldLink Link { get; }

    public void CancelForCaller(CancellationToken callerToken) => TrySetCanceled(callerToken);
}
