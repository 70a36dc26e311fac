using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>AioLoop: tracked tasks and the executor.</summary>
public partial class AioLoop
{
    /// <summary>Creates a tracked task that runs <paramref name="work"/> on the loop, starting in the next turn.</summary>
    /// <param name="work">The work; it receives the task's cancellation token.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public AioTask CreateTask(
        Func<CancellationToken, Task> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Schedule(new AioTask(this, work, name, callerFilePath, callerLineNumber, isProtected: false));
    }

    /// <summary>Creates a tracked task that runs <paramref name="work"/> on the loop; its token is <c>Aio.CancellationToken</c>.</summary>
    /// <param name="work">The work.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public AioTask CreateTask(
        Func<Task> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Schedule(new AioTask(this, work, name, callerFilePath, callerLineNumber, isProtected: false));
    }

    /// <summary>Creates a tracked task with a result that runs <paramref name="work"/> on the loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work; it receives the task's cancellation token.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public AioTask<T> CreateTask<T>(
        Func<CancellationToken, Task<T>> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Schedule(new AioTask<T>(this, work, name, callerFilePath, callerLineNumber, isProtected: false));
    }

    /// <summary>Creates a tracked task with a result that runs <paramref name="work"/> on the loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public AioTask<T> CreateTask<T>(
        Func<Task<T>> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Schedule(new AioTask<T>(this, work, name, callerFilePath, callerLineNumber, isProtected: false));
    }

    /// <summary>The tracked tasks that are not done yet, protected ones included (a snapshot). Loop thread, or while the loop is not running.</summary>
    /// <returns>A snapshot of the pending tasks.</returns>
    public IReadOnlyList<AioTask> AllTasks()
    {
        ThrowIfNotOwner(nameof(AllTasks));
        return _tasks.Snapshot();
    }

    internal long NextTaskId() => Interlocked.Increment(ref _nextTaskId);

    internal TTask Schedule<TTask>(TTask task)
        where TTask : AioTask
    {
        ThrowIfClosed();
        if (IsOwnedByCurrentThread)
        {
            Register(task);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(s_registerTask, task));
        }

        return task;
    }

    private void Register(AioTask task)
    {
        _tasks.Add(task);
        CancelIfCreatedDuringShutdown(task);
        _ready.Enqueue(s_startTask, task);
    }

    internal void Unregister(AioTask task) => _tasks.Remove(task);

    internal TaskCompletionHook RentHook() => _hooks.Count > 0 ? _hooks.Pop() : new TaskCompletionHook();

    internal void ReturnHook(TaskCompletionHook hook)
    {
        if (_hooks.Count < 1024)
        {
            _hooks.Push(hook);
        }
    }

    private void ThrowIfNotOwner(string api)
    {
        if (!IsOwnedByCurrentThread)
        {
            throw new InvalidOperationException(
                $"AioLoop.{api} was called on thread {Environment.CurrentManagedThreadId}, but the loop belongs to thread {Volatile.Read(ref _ownerThreadId)} (the thread that runs it, or last ran it); call it from code on the loop.");
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread-pool thread (at most <see cref="ExecutorWorkers"/> at once). The shutdown
    /// waits for it. Called from a task, the returned task is cancelled as soon as that task is (its await throws
    /// <see cref="OperationCanceledException"/>, as in asyncio); the work runs on, and if it then fails, the failure goes
    /// to the exception handler, since nobody can await it any more.
    /// </summary>
    /// <param name="work">Synchronous work, off the loop.</param>
    /// <returns>A task that completes with the work, or is cancelled with the current task; awaited on the loop, it resumes on the loop.</returns>
    public Task RunInExecutor(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfClosed();
        return _executor.Run(work);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread-pool thread (at most <see cref="ExecutorWorkers"/> at once). The shutdown
    /// waits for it. Called from a task, the returned task is cancelled as soon as that task is; the work runs on.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">Synchronous work, off the loop.</param>
    /// <returns>A task that completes with the work's result, or is cancelled with the current task; awaited on the loop, it resumes on the loop.</returns>
    public Task<T> RunInExecutor<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfClosed();
        return _executor.Run(work);
    }
}
