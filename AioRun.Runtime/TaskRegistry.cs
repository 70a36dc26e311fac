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

    /// <summary>
    /// The task whose running work is <paramref name="work"/>. The one member safe from another thread (the loop-lag
    /// watchdog's, while the loop is blocked): it reads the array as it is, and at worst misses a task.
    /// </summary>
    public AioTask? FindRunning(System.Threading.Tasks.Task work)
    {
        AioTask[] tasks = System.Threading.Volatile.Read(ref _tasks);
        int count = Math.Min(System.Threading.Volatile.Read(ref _count), tasks.Length);
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
