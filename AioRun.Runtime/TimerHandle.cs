using System;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// A callback scheduled on the loop's timer heap by <see cref="AioLoop.CallLater(TimeSpan, Action)"/>.
/// Cancel it to keep it from running.
/// </summary>
public abstract class TimerHandle
{
    private volatile bool _cancelled;

    private protected TimerHandle(AioLoop loop, long due)
    {
        Loop = loop;
        Due = due;
    }

    /// <summary>The loop the callback is scheduled on.</summary>
    public AioLoop Loop { get; }

    /// <summary>When the callback is due, on the loop's clock (<see cref="AioLoop.Time"/>, seconds).</summary>
    public double When => Loop.TimestampToSeconds(Due);

    /// <summary>Whether <see cref="Cancel"/> was called before the callback ran.</summary>
    public bool IsCancelled => _cancelled;

    /// <summary>The loop-clock timestamp at which the callback is due.</summary>
    internal long Due { get; }

    /// <summary>Tie-break for equal due times: callbacks run in the order they were scheduled.</summary>
    internal long Sequence { get; set; }

    /// <summary>Keeps the callback from running. Safe to call from any thread, any number of times.</summary>
    public void Cancel()
    {
        if (_cancelled)
        {
            return;
        }

        _cancelled = true;
        Loop.OnTimerCancelled();
        OnCancelled();
    }

    /// <summary>Runs the callback on the loop thread, unless it was cancelled.</summary>
    internal void Fire()
    {
        if (!_cancelled)
        {
            Run();
        }
    }

    private protected abstract void Run();

    private protected virtual void OnCancelled()
    {
    }
}

/// <summary>A <see cref="TimerHandle"/> that runs a user callback.</summary>
internal sealed class CallbackTimer : TimerHandle
{
    private readonly Action _callback;

    public CallbackTimer(AioLoop loop, long due, Action callback)
        : base(loop, due)
    {
        _callback = callback;
    }

    /// <summary>The user's callback (the loop-lag watchdog names it).</summary>
    public Action Callback => _callback;

    private protected override void Run() => _callback();
}

/// <summary>
/// The timer behind <c>Aio.Sleep</c>: completes its task when due, or cancels it when the token
/// is cancelled. Continuations run asynchronously, so they are queued on the loop, never inline.
/// </summary>
internal sealed class SleepTimer : TimerHandle, IReportedWait
{
    private const int OwnerNotWaiting = 0;
    private const int OwnerWaits = 1; // the owner's work is this sleep alone: its end finishes the owner
    private const int Done = 2;

    private static readonly Action<object?> s_finishOwner = static state => ((AioTask)state!).OnSleepDone();

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    // The task whose own cancellation this sleep observes without a registration (AioTask.Cancel cancels the timer).
    private AioTask? _owner;
    private int _ownerState;

    public SleepTimer(AioLoop loop, long due)
        : base(loop, due)
    {
    }

    public Task Task => _completion.Task;

    /// <summary>Set by the owner task before anyone can cancel the sleep through it.</summary>
    internal AioTask? Owner
    {
        get => _owner;
        set => _owner = value;
    }

    /// <summary>
    /// The owner's work returned this sleep's task: when the sleep ends, the owner finishes from a callback queued on the
    /// loop (as the continuation on the task would have run), without a continuation or a completion hook.
    /// </summary>
    /// <returns>Whether the sleep was still going on (otherwise the owner must look at the task itself).</returns>
    internal bool FinishOwnerWhenDone() => Interlocked.CompareExchange(ref _ownerState, OwnerWaits, OwnerNotWaiting) == OwnerNotWaiting;

    /// <summary>After the task completed: the owner forgets the sleep, and finishes if its work was this sleep.</summary>
    private void OnDone()
    {
        if (_owner is not { } owner)
        {
            return;
        }

        owner.ForgetSleep(this);
        if (Interlocked.Exchange(ref _ownerState, Done) == OwnerWaits)
        {
            Loop.PostInternal(s_finishOwner, owner);
        }
    }

    public void ObserveCancellation(CancellationToken token)
    {
        if (token.CanBeCanceled)
        {
            _token = token;
            _registration = token.UnsafeRegister(static state => ((SleepTimer)state!).Cancel(), this);
        }
    }

    private protected override void Run()
    {
        _registration.Dispose();
        _completion.TrySetResult();
        OnDone();
    }

    public string? DescribeWait(in ReportTime time)
    {
        if (_completion.Task.IsCompleted)
        {
            return null;
        }

        if (Due == long.MaxValue)
        {
            return "waiting on Aio.Sleep, with no due time";
        }

        return Due >= time.Now
            ? "waiting on Aio.Sleep, due in " + time.Span(Due - time.Now)
            : "waiting on Aio.Sleep, overdue by " + time.Span(time.Now - Due);
    }

    private protected override void OnCancelled()
    {
        if (_owner is { } owner && !_token.CanBeCanceled)
        {
            // Cancelled by the owner: its token, as a registration on it would have given (made now if nobody asked yet).
            _token = owner.CancellationToken;
        }

        _completion.TrySetCanceled(_token);
        OnDone();
    }
}
