namespace AioRun.Benchmarks.Runtime.Peers;

/// <summary>
/// What one core can do: a <see cref="SynchronizationContext"/> over a plain <see cref="Queue{T}"/>,
/// with no locks, no cross-thread posting, no error handling and no timers. The ceiling for
/// same-thread <c>await</c> continuations.
/// </summary>
internal sealed class RawQueueContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

    /// <summary>Runs <paramref name="func"/> with this context on the current thread until its task completes.</summary>
    public static void Run(Func<Task> func)
    {
        SynchronizationContext? previous = Current;
        var context = new RawQueueContext();
        SetSynchronizationContext(context);
        try
        {
            Task task = func();
            while (!task.IsCompleted)
            {
                (SendOrPostCallback callback, object? state) = context._queue.Dequeue();
                callback(state);
            }

            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
