using System;

namespace AioRun;

/// <summary>
/// AioLoop: how the idle loop waits and how other threads wake it. The default loop waits on an event; a loop that
/// polls for I/O (<see cref="EpollLoop"/>) replaces the wait with its poller and also takes I/O readiness once a turn
/// while it is busy.
/// </summary>
public partial class AioLoop
{
    /// <summary>
    /// Set by a loop whose wait also polls for I/O: it then polls (without blocking) once in every busy turn, so
    /// sockets are not starved by a stream of ready callbacks.
    /// </summary>
    private protected bool _pollsIo;

    /// <summary>Before the loop publishes that it waits: forget an old wake-up. Loop thread.</summary>
    private protected virtual void ResetWake() => _wake.Reset();

    /// <summary>Blocks until <see cref="SignalWake"/> or <paramref name="timeoutMs"/> (-1: no timeout). Loop thread.</summary>
    /// <param name="timeoutMs">Milliseconds, or -1.</param>
    private protected virtual void BlockUntilWoken(int timeoutMs) => _wake.Wait(timeoutMs);

    /// <summary>Wakes a loop blocked in <see cref="BlockUntilWoken"/>. Any thread.</summary>
    private protected virtual void SignalWake() => _wake.Set();

    /// <summary>Takes I/O readiness without blocking (busy turns of a loop with <see cref="_pollsIo"/>). Loop thread.</summary>
    private protected virtual void PollIo()
    {
    }

    /// <summary>Queues a callback for this or the next turn from the loop thread, without the public API's checks.</summary>
    private protected void EnqueueReady(Action<object?> callback, object? state) => _ready.Enqueue(callback, state);
}
