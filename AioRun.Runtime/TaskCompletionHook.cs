using System;

namespace AioRun;

/// <summary>
/// A reusable completion callback: the loop lends one to each running task, so hooking the
/// work's completion allocates no delegate per task.
/// </summary>
internal sealed class TaskCompletionHook
{
    public TaskCompletionHook() => Callback = Invoke;

    public Action Callback { get; }

    public AioTask? Task { get; set; }

    private void Invoke() => Task!.OnInnerCompleted(this);
}
