using System;

namespace AioRun;

/// <summary>
/// The loop's timers: a binary min-heap ordered by due time, then by scheduling order. Cancelled
/// timers stay in the heap until they reach the top or until they are more than half of it; then
/// the heap is rebuilt without them (as asyncio does), so cancelling is O(1).
/// Used only on the loop thread.
/// </summary>
internal sealed class TimerHeap
{
    private TimerHandle[] _heap = new TimerHandle[64];
    private int _count;
    private long _nextSequence;

    public int Count => _count;

    /// <summary>Cancelled timers still in the heap (counted when cancelled on the loop thread).</summary>
    public int CancelledCount { get; set; }

    public TimerHandle Peek() => _heap[0];

    public void Push(TimerHandle timer)
    {
        timer.Sequence = _nextSequence++;
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        SiftUp(_count++, timer);
    }

    public TimerHandle Pop()
    {
        TimerHandle top = _heap[0];
        _count--;
        TimerHandle last = _heap[_count];
        _heap[_count] = null!;
        if (_count > 0)
        {
            SiftDown(0, last);
        }

        if (top.IsCancelled && CancelledCount > 0)
        {
            CancelledCount--;
        }

        return top;
    }

    /// <summary>Drops cancelled timers when they make up most of the heap.</summary>
    public void CompactIfMostlyCancelled()
    {
        if (CancelledCount < 64 || CancelledCount * 2 < _count)
        {
            return;
        }

        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            if (!_heap[i].IsCancelled)
            {
                _heap[kept++] = _heap[i];
            }
        }

        Array.Clear(_heap, kept, _count - kept);
        _count = kept;
        CancelledCount = 0;
        for (int i = (_count / 2) - 1; i >= 0; i--)
        {
            SiftDown(i, _heap[i]);
        }
    }

    public void Clear()
    {
        Array.Clear(_heap, 0, _count);
        _count = 0;
        CancelledCount = 0;
    }

    private static bool Before(TimerHandle a, TimerHandle b) =>
        a.Due < b.Due || (a.Due == b.Due && a.Sequence < b.Sequence);

    private void SiftUp(int index, TimerHandle timer)
    {
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            TimerHandle p = _heap[parent];
            if (!Before(timer, p))
            {
                break;
            }

            _heap[index] = p;
            index = parent;
        }

        _heap[index] = timer;
    }

    private void SiftDown(int index, TimerHandle timer)
    {
        int half = _count >> 1;
        while (index < half)
        {
            int child = (2 * index) + 1;
            TimerHandle c = _heap[child];
            int right = child + 1;
            if (right < _count && Before(_heap[right], c))
            {
                child = right;
                c = _heap[right];
            }

            if (!Before(c, timer))
            {
                break;
            }

            _heap[index] = c;
            index = child;
        }

        _heap[index] = timer;
    }
}
