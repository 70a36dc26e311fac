using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace AioRun.Epoll;

/// <summary>
/// One kind of operation on a <see cref="NativeSocket"/> (read, write, accept, connect), reused for every
/// operation of that kind, so an operation that waits allocates nothing. The operation is tried at once on the
/// loop thread; only when the kernel says it would block does it wait for the socket's epoll edge, and then it is
/// retried by a callback on the loop thread. It completes only on the loop thread.
/// </summary>
internal abstract class SocketOp : IValueTaskSource<int>, IValueTaskSource, IReportedWait
{
    internal static readonly Action<object?> Retry = static state => ((SocketOp)state!).OnRetry();
    private static readonly Action<object?> s_cancel = static state => ((SocketOp)state!).OnCancelRequested();
    private static readonly Action<object?> s_startOnLoop = static state => ((SocketOp)state!).StartOnLoop();
    private static readonly Action<object?> s_tokenCancelled = static state =>
    {
        // Any thread, and possibly inside the canceller's Cancel(): the completion itself runs on the loop.
        var op = (SocketOp)state!;
        op.Socket.Loop.CallSoonThreadsafe(s_cancel, op);
    };

    private ManualResetValueTaskSourceCore<int> _core;
    private CancellationToken _token;
    // Kept from one operation to the next while the token stays the same (a task's token, for every read of its
    // connection): registering and unregistering for every wait would cost more than the system call.
    private CancellationTokenRegistration _registration;
    private CancellationToken _registeredToken;
    private bool _registered;
    private volatile bool _busy;
    private bool _waiting;

    protected SocketOp(NativeSocket socket) => Socket = socket;

    protected NativeSocket Socket { get; }

    /// <summary>The token of the pending operation's ValueTask (right after <see cref="Start"/> returned a pending one).</summary>
    protected short Version => _core.Version;

    /// <summary>Whether the operation waits for the socket's readiness (loop thread).</summary>
    public bool IsWaiting => _waiting;

    /// <summary>For errors and the task report, e.g. "a read".</summary>
    protected abstract string Name { get; }

    /// <summary>Whether the last readiness seen allows an attempt (a known-not-ready socket skips the system call).</summary>
    protected abstract bool MayBeReady { get; }

    /// <summary>Makes one attempt: false when the kernel says it would block; otherwise the result or the error.</summary>
    protected abstract bool TryRun(out int result, out Exception? error);

    /// <summary>What may be in progress at once, for the message of <see cref="ThrowIfBusy"/>.</summary>
    protected virtual string Limit => "one read and one write at a time";

    /// <summary>Throws when an operation of this kind is already in progress (call before changing the operation's fields).</summary>
    protected void ThrowIfBusy()
    {
        if (_busy)
        {
            throw new InvalidOperationException(
                $"{Socket.Kind} already has {Name} in progress; await it before starting another ({Limit}).");
        }
    }

    /// <summary>Starts the operation; its fields are set. Any thread: off the loop thread it is started by a callback on the loop.</summary>
    protected ValueTask<int> Start(CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(token);
        }

        if (Socket.IsClosed)
        {
            return ValueTask.FromException<int>(new ObjectDisposedException(Socket.Kind));
        }

        if (!AioLoop.TryGetCurrent(out AioLoop? current) || !ReferenceEquals(current, Socket.Loop))
        {
            if (Socket.Loop.IsClosed)
            {
                return ValueTask.FromException<int>(new InvalidOperationException(
                    $"{Socket.Kind} belongs to an EpollLoop that is closed; its I/O can no longer run."));
            }

            // Not on the loop thread (e.g. a pipe's thread-pool code): start on the loop, and let the continuation
            // go to the thread pool rather than run on the loop.
            _busy = true;
            _token = token;
            _core.Reset();
            _core.RunContinuationsAsynchronously = true;
            Socket.Loop.CallSoonThreadsafe(s_startOnLoop, this);
            return new ValueTask<int>(this, _core.Version);
        }

        if (MayBeReady && TryRun(out int result, out Exception? error))
        {
            return error is null ? new ValueTask<int>(result) : ValueTask.FromException<int>(error);
        }

        _busy = true;
        _core.Reset();
        _core.RunContinuationsAsynchronously = false;
        BeginWaiting(token);
        return new ValueTask<int>(this, _core.Version);
    }

    private void StartOnLoop()
    {
        if (_token.IsCancellationRequested)
        {
            Complete(0, new OperationCanceledException(_token));
        }
        else if (Socket.IsClosed)
        {
            Complete(0, new ObjectDisposedException(Socket.Kind));
        }
        else if (MayBeReady && TryRun(out int result, out Exception? error))
        {
            Complete(result, error);
        }
        else
        {
            BeginWaiting(_token);
        }
    }

    private void BeginWaiting(CancellationToken token)
    {
        _waiting = true;
        Socket.Loop.WaitingOperations++;
        _token = token;
        try
        {
            Socket.EnsureRegistered();
        }
        catch (Exception ex)
        {
            Complete(0, ex);
            return;
        }

        if (token.CanBeCanceled && !(_registered && _registeredToken.Equals(token)))
        {
            _registration.Dispose();
            _registration = token.UnsafeRegister(s_tokenCancelled, this);
            _registeredToken = token;
            _registered = true;
        }

        AioTask.Current?.NoteWaitingOn(this);
    }

    private void OnRetry()
    {
        if (_waiting && TryRun(out int result, out Exception? error))
        {
            Complete(result, error);
        }
    }

    private void OnCancelRequested()
    {
        if (_waiting && _token.IsCancellationRequested)
        {
            Complete(0, new OperationCanceledException(_token));
        }
    }

    /// <summary>The socket was closed (loop thread): fails the operation if it waits, and lets go of the token.</summary>
    internal void Abort(Func<Exception> error)
    {
        if (_waiting)
        {
            Complete(0, error());
        }

        _registration.Dispose();
        _registration = default;
        _registeredToken = default;
        _registered = false;
    }

    private void Complete(int result, Exception? error)
    {
        if (_waiting)
        {
            _waiting = false;
            Socket.Loop.WaitingOperations--;
        }

        _token = default;
        _busy = false; // before the continuation, which may start the next operation
        if (error is null)
        {
            _core.SetResult(result);
        }
        else
        {
            _core.SetException(error);
        }
    }

    public int GetResult(short token) => _core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        // Awaited on the loop itself: the operation completes in a callback on the loop thread, so the continuation
        // may run right there instead of being posted to the same loop again.
        if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0
            && !_core.RunContinuationsAsynchronously
            && ReferenceEquals(SynchronizationContext.Current, Socket.Loop)
            && ReferenceEquals(TaskScheduler.Current, TaskScheduler.Default))
        {
            flags &= ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext;
        }

        _core.OnCompleted(continuation, state, token, flags);
    }

    public string? DescribeWait(in ReportTime time) => _waiting ? $"waiting on {Name} of {Socket.Describe()}" : null;
}
