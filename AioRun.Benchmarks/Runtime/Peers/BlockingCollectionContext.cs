using System.Collections.Concurrent;

namespace AioRun.Benchmarks.Runtime.Peers;

/// <summary>
/// The textbook single-threaded <see cref="SynchronizationContext"/> (Stephen Toub's "AsyncPump"):
/// a <see cref="BlockingCollection{T}"/> of callbacks drained by the thread that runs it.
/// </summary>
internal sealed class BlockingCollectionContext : SynchronizationContext
{
    private readonly BlockingCollection<KeyValuePair<SendOrPostCallback, object?>> _queue = new();

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add(new(d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronously sending is not supported.");

    /// <summary>Runs callbacks on the current thread until <see cref="Complete"/> is called.</summary>
    public void RunOnCurrentThread()
    {
        foreach (KeyValuePair<SendOrPostCallback, object?> item in _queue.GetConsumingEnumerable())
        {
            item.Key(item.Value);
        }
    }

    public void Complete() => _queue.CompleteAdding();

    /// <summary>Runs <paramref name="func"/> on a new context on the current thread until its task completes.</summary>
    public static void Run(Func<Task> func)
    {
        SynchronizationContext? previous = Current;
        var context = new BlockingCollectionContext();
        SetSynchronizationContext(context);
        try
        {
            Task task = func();
            task.ContinueWith(static (_, state) => ((BlockingCollectionContext)state!).Complete(), context, TaskScheduler.Default);
            context.RunOnCurrentThread();
            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
