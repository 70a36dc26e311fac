using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <para>
/// The loop-lag watchdog and the metrics read two things here from another thread: <see cref="Taken"/>, the number of
/// items dequeued so far (the loop's callback counter, one increment per callback), and <see cref="Last"/>, the item
/// dequeued last, which stays in its slot until the next dequeue (one slot is kept free for it) so that a callback that
/// blocks the loop can be named. A dequeue clears the previous slot instead of its own: the same two stores.
/// (A single 64-bit head that doubles as the counter was tried: it puts the ring's length on the path to the callback
/// and measured slower than this extra increment.)
/// </para>
/// </remarks>
internal struct WorkQueue
{
    private WorkItem[] _items;
    private int _head;
    private int _count;
    private long _taken;

    public WorkQueue() => _items = new WorkItem[256];

    public int Count => _count;

    /// <summary>How many items were dequeued since the queue was made (each one a callback the loop ran). Any thread.</summary>
    public long Taken => Volatile.Read(ref _taken);

    /// <summary>
    /// The item dequeued last: the callback running now, or the one that ran last (until the next dequeue or
    /// <see cref="ForgetLast"/>). Any thread; read from another one, it may be a moment out of date.
    /// </summary>
    public WorkItem Last
    {
        get
        {
            WorkItem[] items = Volatile.Read(ref _items);
            return items[(Volatile.Read(ref _head) - 1) & (items.Length - 1)];
        }
    }

    public void Enqueue(in WorkItem item) => Enqueue(item.Callback, item.State);

    /// <summary>
    /// Adds work. The fields are written one by one, and a null state not at all (freed slots are
    /// cleared), so the common stateless callback costs one reference store, not a struct copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state)
    {
        WorkItem[] items = _items;
        // One slot always stays free: the one before the head, which holds the last dequeued item.
        if (_count == items.Length - 1)
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

    /// <summary>Takes the next item. Its slot is cleared by the next dequeue, not now, so <see cref="Last"/> can name a callback while it runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WorkItem Dequeue()
    {
        WorkItem[] items = _items;
        int head = _head;
        int mask = items.Length - 1;

        // The head and the slot before it are within the ring (both masked), so no bounds checks on this path.
        ref WorkItem first = ref MemoryMarshal.GetArrayDataReference(items);
        WorkItem item = Unsafe.Add(ref first, (nuint)(uint)head);
        Unsafe.Add(ref first, (nuint)(uint)((head - 1) & mask)) = default;
        _head = (head + 1) & mask;
        _count--;
        _taken++;
        return item;
    }

    /// <summary>Drops the reference to the last dequeued item (the loop calls this when it goes idle, so nothing stays alive for it).</summary>
    public void ForgetLast() => _items[(_head - 1) & (_items.Length - 1)] = default;

    /// <summary>Removes every item, handing each to <paramref name="discard"/>; <see cref="Taken"/> counts only what was dequeued.</summary>
    public void Clear(Action<WorkItem> discard)
    {
        WorkItem[] items = _items;
        int mask = items.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            ref WorkItem slot = ref items[(_head + i) & mask];
            WorkItem item = slot;
            slot = default;
            discard(item);
        }

        _count = 0;
        ForgetLast();
    }

    /// <summary>Doubles the ring; the last dequeued item moves along, to the slot before the new head.</summary>
    private WorkItem[] Grow()
    {
        WorkItem[] old = _items;
        int mask = old.Length - 1;
        var grown = new WorkItem[old.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            grown[i] = old[(_head + i) & mask];
        }

        grown[^1] = old[(_head - 1) & mask];
        Volatile.Write(ref _items, grown);
        _head = 0;
        return grown;
    }
}
