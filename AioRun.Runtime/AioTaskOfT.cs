using System;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>A tracked task with a result (see <see cref="AioTask"/>).</summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class AioTask<T> : AioTask
{
    private T _result = default!;

    internal AioTask(AioLoop loop, Func<CancellationToken, Task<T>> work, string? name, string callerFilePath, int callerLineNumber, bool isProtected)
        : base(loop, work, name, callerFilePath, callerLineNumber, isProtected)
    {
    }

    internal AioTask(AioLoop loop, Func<Task<T>> work, string? name, string callerFilePath, int callerLineNumber, bool isProtected)
        : base(loop, work, name, callerFilePath, callerLineNumber, isProtected)
    {
    }

    /// <summary>The result; throws the failure or <see cref="OperationCanceledException"/> if the task did not succeed.</summary>
    /// <exception cref="InvalidOperationException">The task is not done yet.</exception>
    public T Result
    {
        get
        {
            ThrowIfNotSucceeded();
            return _result;
        }
    }

    /// <summary>Gets an awaiter; awaiting the task observes its outcome.</summary>
    /// <returns>The awaiter.</returns>
    public new AioTaskAwaiter<T> GetAwaiter()
    {
        base.GetAwaiter();
        return new AioTaskAwaiter<T>(this);
    }

    /// <summary>A <see cref="Task{TResult}"/> with the same outcome. Observes the outcome.</summary>
    /// <returns>The task.</returns>
    public new Task<T> AsTask() => (Task<T>)CompletionTask();

    private protected override object NewCompletionSource() => new TaskCompletionSource<T>(this);

    private protected override object TaskOf(object completionSource) => ((TaskCompletionSource<T>)completionSource).Task;

    private protected override object NewShieldCompletion(AioTask? caller) => new ShieldCompletion<T>(new ShieldLink(this, caller));

    /// <summary>The task that <c>Aio.ShutdownWaitsFor</c> hands its caller (see <see cref="AioTask.ShieldFor"/>).</summary>
    internal new Task<T> ShieldFor(AioTask? caller) => (Task<T>)base.ShieldFor(caller);

    private protected override void SetResult(object completionSource) => ((TaskCompletionSource<T>)completionSource).TrySetResult(_result);

    private protected override void SetException(object completionSource, Exception exception) =>
        ((TaskCompletionSource<T>)completionSource).TrySetException(exception);

    private protected override void SetCanceled(object completionSource, CancellationToken token) =>
        ((TaskCompletionSource<T>)completionSource).TrySetCanceled(token);

    private protected override Task InvokeWork(object work) => work is Func<CancellationToken, Task<T>> withToken
        ? withToken(CancellationToken)
        : ((Func<Task<T>>)work)();

    private protected override void OnSucceeded(Task inner) => _result = ((Task<T>)inner).Result;
}
