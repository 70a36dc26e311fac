using System;
using System.Collections.Generic;
using System.Threading;

namespace AioRun;

/// <summary>
/// The tracked tasks of a loop that are not done yet. An array with swap-remove: each task knows its
/// slot, so adding and removing are O(1) and allocate nothing once the array has grown.
/// Changed only on the loop thread; the task report may read it from another.
/// </summary>
internal sealed class TaskRegistry
{
    private AioTask[] _tasks = new AioTask[64];
    private int _count;

    public int Count => _count;

    /// <summary>The pending tasks, in place: only while nothing adds or removes one.</summary>
    public ReadOnlySpan<AioTask> Items => new(_tasks, 0, _count); // not AsSpan: MemoryExtensions would load the System.Memory facade at start

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

    public AioTask[] Snapshot() => Items.ToArray();

    /// <summary>
    /// A snapshot taken on a thread other than the loop's while the loop may change the registry: never throws, but
    /// may miss a task added or moved meanwhile (a task moved by a removal is listed once). Done tasks are left out.
    /// </summary>
    public AioTask[] SnapshotFromAnotherThread()
    {
        AioTask[] tasks = Volatile.Read(ref _tasks);
        int count = Math.Min(Volatile.Read(ref _count), tasks.Length);
        var seen = new HashSet<AioTask>(count, ReferenceEqualityComparer.Instance);
        var live = new List<AioTask>(count);
        for (int i = 0; i < count; i++)
        {
            if (Volatile.Read(ref tasks[i]) is { IsDone: false } task && seen.Add(task))
            {
                live.Add(task);
            }
        }

        return live.ToArray();
    }

    /// <summary>
    /// The task whose running work is <paramref name="work"/>. Safe from another thread (the loop-lag watchdog's, while
    /// the loop is blocked): it reads the array as it is, and at worst misses a task.
    /// </summary>
    public AioTask? FindRunning(System.Threading.Tasks.Task work)
    {
        AioTask[] tasks = Volatile.Read(ref _tasks);
        int count = Math.Min(Volatile.Read(ref _count), tasks.Length);
        for (int i = 0; i < count; i++)
        {
            if (tasks[i] is { } task && task.IsRunning(work))
            {
                return task;
            }
        }

        return null;
    }
}
