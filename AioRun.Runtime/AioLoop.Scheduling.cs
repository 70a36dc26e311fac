using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace AioRun;

/// <summary>AioLoop: scheduling callbacks and timers, from the loop thread and from others; the loop as a SynchronizationContext.</summary>
public partial class AioLoop
{
    /// <summary>Schedules <paramref name="callback"/> to run in the next turn of the loop. Loop thread only.</summary>
    /// <param name="callback">The work.</param>
    public void CallSoon(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueOnLoopThread(callback, null, nameof(CallSoon));
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) to run in the next turn of the loop. Loop thread only.</summary>
    /// <param name="callback">The work.</param>
    /// <param name="state">Passed to the callback.</param>
    public void CallSoon(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueOnLoopThread(callback, state, nameof(CallSoon));
    }

    /// <summary>Schedules <paramref name="callback"/> on the loop from any thread.</summary>
    /// <param name="callback">The work.</param>
    /// <remarks>On a closed loop the callback is dropped and counted (<see cref="DroppedWorkCount"/>); nothing is thrown.</remarks>
    public void CallSoonThreadsafe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueThreadsafe(new WorkItem(callback, null));
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) on the loop from any thread.</summary>
    /// <param name="callback">The work.</param>
    /// <param name="state">Passed to the callback.</param>
    public void CallSoonThreadsafe(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueThreadsafe(new WorkItem(callback, state));
    }

    /// <summary>Runs <paramref name="callback"/> on the loop after <paramref name="delay"/>, on the loop's clock. Any thread.</summary>
    /// <param name="delay">How long to wait; zero or more.</param>
    /// <param name="callback">The work.</param>
    /// <returns>A handle that cancels the callback.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public TimerHandle CallLater(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ValidateDelay(delay, nameof(delay));
        var timer = new CallbackTimer(this, DueTimestamp(delay), callback);
        ScheduleTimer(timer);
        return timer;
    }

    /// <summary>Runs <paramref name="callback"/> on the loop after <paramref name="seconds"/> seconds. Any thread.</summary>
    /// <param name="seconds">How long to wait; zero or more, not NaN.</param>
    /// <param name="callback">The work.</param>
    /// <returns>A handle that cancels the callback.</returns>
    public TimerHandle CallLater(double seconds, Action callback) => CallLater(SecondsToDelay(seconds, nameof(seconds)), callback);

    internal void ScheduleTimer(TimerHandle timer)
    {
        ThrowIfClosed();
        if (IsOwnedByCurrentThread)
        {
            PushTimer(timer);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(s_pushTimer, timer));
        }
    }

    private void PushTimer(TimerHandle timer)
    {
        if (!timer.IsCancelled)
        {
            _timers.Push(timer);
        }
    }

    internal void OnTimerCancelled()
    {
        if (IsOwnedByCurrentThread)
        {
            _timers.CancelledCount++;
        }
    }

    internal static TimeSpan SecondsToDelay(double seconds, string paramName)
    {
        if (double.IsNaN(seconds))
        {
            throw new ArgumentOutOfRangeException(paramName, seconds, $"{paramName} is NaN; give a number of seconds, zero or more.");
        }

        if (seconds < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, seconds, $"{paramName} is negative ({seconds}); give a number of seconds, zero or more.");
        }

        return double.IsPositiveInfinity(seconds) || seconds >= TimeSpan.MaxValue.TotalSeconds
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    internal static void ValidateDelay(TimeSpan delay, string paramName)
    {
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, delay, $"{paramName} is negative ({delay}); give zero or more.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnqueueOnLoopThread(object callback, object? state, string api)
    {
        // The running loop's own thread is the fast path (a running loop is never closed). A thread-static
        // test: reading the managed thread id costs about as much as the enqueue itself.
        if (!ReferenceEquals(t_current, this))
        {
            int owner = Volatile.Read(ref _threadId);
            if (owner != 0)
            {
                ThrowNotThreadSafe(api, owner);
            }

            if (_status == StatusClosed)
            {
                DropClosed();
                return;
            }
        }

        _ready.Enqueue(callback, state);
    }

    private static void ThrowNotThreadSafe(string api, int owner) => throw new InvalidOperationException(
        $"AioLoop.{api} was called on thread {Environment.CurrentManagedThreadId} while the loop runs on thread {owner}; " +
        "it is not thread-safe. Use CallSoonThreadsafe from other threads.");

    private void EnqueueThreadsafe(in WorkItem item)
    {
        if (_status == StatusClosed)
        {
            if (item.State is SendRequest send)
            {
                send.Abandon();
            }

            DropClosed();
            return;
        }

        ConcurrentQueue<WorkItem> incoming = Incoming;
        incoming.Enqueue(item);
        if (Volatile.Read(ref _hasIncoming.Value) == 0)
        {
            Volatile.Write(ref _hasIncoming.Value, 1);
        }
        if (_status == StatusClosed && incoming.TryDequeue(out WorkItem late))
        {
            // Closed between the check and the enqueue: Close may already have drained the queue.
            Discard(late);
            DropClosed();
            return;
        }

        Wakeup();
    }

    private void DropClosed()
    {
        Interlocked.Increment(ref _dropped);
        if (Interlocked.Exchange(ref _droppedWarned, 1) == 0)
        {
            Log.WorkDroppedAfterClose(_logger);
        }
    }

    private void ThrowIfClosed()
    {
        if (_status == StatusClosed)
        {
            throw new InvalidOperationException("This AioLoop is closed; it accepts no new tasks or timers.");
        }
    }

    /// <summary>Queues <paramref name="d"/> on the loop. Any thread; an await continuation on the loop ends up here.</summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (ReferenceEquals(t_current, this) || InCancelPhaseOnThisThread())
        {
            // On the running loop's thread (a running loop is never closed), or the shutdown's cancel phase's.
            _ready.Enqueue(d, state);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(d, state));
        }
    }

    /// <summary>Queues the runtime's own <paramref name="callback"/> on the loop as <see cref="Post"/> does. Any thread.</summary>
    internal void PostInternal(Action<object?> callback, object? state)
    {
        if (ReferenceEquals(t_current, this) || InCancelPhaseOnThisThread())
        {
            _ready.Enqueue(callback, state);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(callback, state));
        }
    }

    /// <summary>
    /// Runs <paramref name="d"/> on the loop and waits for it. On the loop thread it runs at once; from
    /// another thread it is queued and the caller blocks until it ran, and its exception is rethrown.
    /// </summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <exception cref="InvalidOperationException">The loop is closed, or was closed before the callback ran.</exception>
    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (ReferenceEquals(t_current, this))
        {
            d(state);
            return;
        }

        ThrowIfClosed();
        using var request = new SendRequest(d, state);
        EnqueueThreadsafe(new WorkItem(SendRequest.RunCallback, request));
        request.Wait();
    }

    /// <summary>The loop is its own copy: every copy posts to the same loop.</summary>
    /// <returns>This loop.</returns>
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>A cross-thread <see cref="Send"/>: the caller waits until the loop ran the callback.</summary>
    private sealed class SendRequest : IDisposable
    {
        public static readonly Action<object?> RunCallback = static state => ((SendRequest)state!).Run();

        private readonly SendOrPostCallback _callback;
        private readonly object? _state;
        private readonly ManualResetEventSlim _done = new();
        private ExceptionDispatchInfo? _error;
        private bool _abandoned;

        public SendRequest(SendOrPostCallback callback, object? state)
        {
            _callback = callback;
            _state = state;
        }

        public void Wait()
        {
            _done.Wait();
            if (_abandoned)
            {
                throw new InvalidOperationException("The AioLoop was closed before the callback passed to Send could run.");
            }

            _error?.Throw();
        }

        public void Abandon()
        {
            _abandoned = true;
            _done.Set();
        }

        public void Dispose() => _done.Dispose();

        private void Run()
        {
            try
            {
                _callback(_state);
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
