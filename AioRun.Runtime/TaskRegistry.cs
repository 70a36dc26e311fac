using System;

namespace AioRun;

/// <summary>
/// The tracked tasks of a loop that are not done yet. An array with swap-remove: each task knows its
/// slot, so adding and removing are O(1) and allocate nothing once the array has grown.
/// Used only on the loop thread.
/// </summary>
internal sealed class TaskRegistry
{
    private AioTask[] _tasks = new AioTask[64];
    private int _count;

    public int Count => _count;

    /// <summary>The pending tasks, in place: only while nothing adds or removes one.</summary>
    public ReadOnlySpan<AioTask> Items => _tasks.AsSpan(0, _count);

    public void Add(AioTask task)
    {
        if (_count == _tasks.Length)
        {
            Array.Resize(ref _tasks, _tasks.Length * 2);
        }

        task.RegistryIndex = _count;
        _tasks[_count++] = task;
    }

    public void Remove(AioTask task)
    {
        int index = task.RegistryIndex;
        if (index < 0 || index >= _count || !ReferenceEquals(_tasks[index], task))
        {
            return;
        }

        int last = --_count;
        if (index != last)
        {
            AioTask moved = _tasks[last];
            _tasks[index] = moved;
            moved.RegistryIndex = index;
        }

        _tasks[last] = null!;
        task.RegistryIndex = -1;
    }

    public AioTask[] Snapshot() => _tasks.AsSpan(0, _count).ToArray();
}
