using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace AioRun;

/// <summary>One unit of work on the ready queue: a callback and its state.</summary>
/// <remarks>
/// <see cref="Callback"/> is a <see cref="SendOrPostCallback"/> (await continuations and
/// <c>Post</c>), an <see cref="Action{T}"/> of <see cref="object"/> or a plain <see cref="Action"/>.
/// Keeping the three shapes apart avoids allocating an adapter delegate per call.
/// </remarks>
internal struct WorkItem
{
    public object Callback;
    public object? State;

    public WorkItem(object callback, object? state)
    {
        Callback = callback;
        State = state;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Invoke()
    {
        // Exact type tests first: Action<T> is variant, so testing for it costs a runtime helper call.
        switch (Callback)
        {
            case SendOrPostCallback post:
                post(State);
                break;
            case Action action:
                action();
                break;
            default:
                ((Action<object?>)Callback)(State);
                break;
        }
    }
}

/// <summary>
/// The loop's ready queue: a growable ring buffer used only by the loop's own thread, so it
/// needs no synchronisation (cross-thread work arrives through a concurrent queue instead).
/// </summary>
/// <remarks>
/// A struct kept in a (non-readonly) field of the loop: enqueuing and dequeuing then reach the ring's fields without
/// loading a queue object first, which a callback chain does for every callback.
/// </remarks>
internal struct WorkQueue
{
    private WorkItem[] _items;
    private int _head;
    private int _count;

    public WorkQueue() => _items = new WorkItem[256];

    public int Count => _count;

    public void Enqueue(in WorkItem item) => Enqueue(item.Callback, item.State);

    /// <summary>
    /// Adds work. The fields are written one by one, and a null state not at all (dequeued slots are
    /// cleared), so the common stateless callback costs one reference store, not a struct copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state)
    {
        WorkItem[] items = _items;
        if (_count == items.Length)
        {
            items = Grow();
        }

        ref WorkItem slot = ref items[(_head + _count) & (items.Length - 1)];
        slot.Callback = callback;
        if (state is not null)
        {
            slot.State = state;
        }

        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WorkItem Dequeue()
    {
        WorkItem[] items = _items;
        int head = _head;
        WorkItem item = items[head];
        items[head] = default;
        _head = (head + 1) & (items.Length - 1);
        _count--;
        return item;
    }

    /// <summary>Removes every item, handing each to <paramref name="discard"/>.</summary>
    public void Clear(Action<WorkItem> discard)
    {
        while (_count > 0)
        {
            discard(Dequeue());
        }

        _head = 0;
    }

    private WorkItem[] Grow()
    {
        WorkItem[] old = _items;
        var grown = new WorkItem[old.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            grown[i] = old[(_head + i) & (old.Length - 1)];
        }

        _items = grown;
        _head = 0;
        return grown;
    }
}
