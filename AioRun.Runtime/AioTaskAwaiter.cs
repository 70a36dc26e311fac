using System;
using System.Runtime.CompilerServices;

namespace AioRun;

/// <summary>Awaits an <see cref="AioTask"/>.</summary>
public readonly struct AioTaskAwaiter : ICriticalNotifyCompletion
{
    private readonly AioTask _task;

    internal AioTaskAwaiter(AioTask task) => _task = task;

    /// <summary>Whether the task is done.</summary>
    public bool IsCompleted => _task.IsDone;

    /// <summary>Rethrows the task's failure or cancellation.</summary>
    public void GetResult() => _task.ThrowIfNotSucceeded();

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _task.AsTask().GetAwaiter().OnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _task.OnCompleted(continuation);
}

/// <summary>Awaits an <see cref="AioTask{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct AioTaskAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly AioTask<T> _task;

    internal AioTaskAwaiter(AioTask<T> task) => _task = task;

    /// <summary>Whether the task is done.</summary>
    public bool IsCompleted => _task.IsDone;

    /// <summary>Returns the result, or rethrows the task's failure or cancellation.</summary>
    /// <returns>The result.</returns>
    public T GetResult() => _task.Result;

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _task.AsTask().GetAwaiter().OnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _task.OnCompleted(continuation);
}
