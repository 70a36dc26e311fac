using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// A task tracked by its <see cref="AioLoop"/> until it is done: the shutdown cancels it (unless it
/// is protected by <c>Aio.ShutdownWaitsFor</c>) and waits for it. Await it to get its outcome.
/// </summary>
/// <remarks>
/// The work starts in the loop's next turn, with <see cref="Aio.CancellationToken"/> set to this
/// task's token. A task that fails while nobody awaits it goes to the loop's exception handler.
/// A task whose work ends by <see cref="OperationCanceledException"/> after <see cref="Cancel"/>
/// is cancelled; one that ends so without being cancelled has failed (a timeout, say).
/// </remarks>
public partial class AioTask : IReportsUnobservedFailure
{
    private const int StatePending = 0;
    private const int StateRunning = 1;
    private const int StateSucceeded = 2;
    private const int StateFaulted = 3;
    private const int StateCancelled = 4;

    private static readonly AsyncLocal<AioTask?> s_current = new();

    private readonly long _id;
    // On the loop's age clock, for the task report.
    private readonly long _createdAt;
    private string? _name;

    // The work delegate until the task starts, then the work's Task while it runs,
    // then the ExceptionDispatchInfo of a failure: one field for three phases.
    private object? _workOrInner;
    private CancellationTokenSource? _cts;
    private object? _continuation;
    private object? _completionSource;
    private volatile int _state;
    private int _cancelRequested;
    private bool _observed;
    // The last AioRun awaitable the task's code created, for the task report; written by the task's code, read by any thread.
    private IReportedWait? _waitingOn;

    // The task's sleep on its own token (Aio.Sleep without a token), which Cancel cancels directly: no registration on
    // the token source per sleeping task. Set on the loop thread, taken by Cancel on any thread.
    private SleepTimer? _sleep;

    /// <summary>The task's slot in the loop's registry while it is pending.</summary>
    internal int RegistryIndex = -1;

    private protected AioTask(AioLoop loop, object work, string? name, string callerFilePath, int callerLineNumber, bool isProtected)
    {
        Loop = loop;
        _workOrInner = work;
        _name = name;
        CreationFile = callerFilePath;
        CreationLine = callerLineNumber;
        IsProtected = isProtected;
        _id = loop.NextTaskId();
        _createdAt = loop.AgeTimestamp();
    }

    internal AioTask(AioLoop loop, Func<CancellationToken, Task> work, string? name, string callerFilePath, int callerLineNumber, bool isProtected)
        : this(loop, (object)work, name, callerFilePath, callerLineNumber, isProtected)
    {
    }

    internal AioTask(AioLoop loop, Func<Task> work, string? name, string callerFilePath, int callerLineNumber, bool isProtected)
        : this(loop, (object)work, name, callerFilePath, callerLineNumber, isProtected)
    {
    }

    /// <summary>The task running the current code, if it runs inside one (it flows through <c>await</c>).</summary>
    internal static AioTask? Current => s_current.Value;

    /// <summary>The loop that tracks this task.</summary>
    public AioLoop Loop { get; }

    /// <summary>The task's name: the one given to <c>CreateTask</c>, or <c>Task-N</c>.</summary>
    public string Name => _name ??= "Task-" + _id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The source file that created the task (captured at compile time).</summary>
    public string CreationFile { get; }

    /// <summary>The line that created the task (captured at compile time).</summary>
    public int CreationLine { get; }

    /// <summary>
    /// Where the task was created, as <c>file:line</c>; for a task AioRun makes itself (the shutdown callback's, a shutdown
    /// participant's), what made it.
    /// </summary>
    public string CreationSite => CreationLine == 0
        ? CreationFile
        : CreationFile + ":" + CreationLine.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the shutdown leaves this task running and waits for it (<c>Aio.ShutdownWaitsFor</c>).</summary>
    public bool IsProtected { get; }

    /// <summary>Whether the task finished, failed or was cancelled.</summary>
    public bool IsDone => _state >= StateSucceeded;

    /// <summary>Whether the task was cancelled.</summary>
    public bool IsCancelled => _state == StateCancelled;

    /// <summary>Whether the task failed.</summary>
    public bool IsFaulted => _state == StateFaulted;

    /// <summary>Whether the task finished without failing or being cancelled.</summary>
    public bool IsCompletedSuccessfully => _state == StateSucceeded;

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    public bool IsCancellationRequested => Volatile.Read(ref _cancelRequested) != 0;

    /// <summary>The task's number on its loop, in creation order.</summary>
    internal long Id => _id;

    /// <summary>When the task was created, on the loop's age clock (<see cref="AioLoop.AgeTimestamp"/>).</summary>
    internal long CreatedAt => _createdAt;

    /// <summary>Whether the task's work has started (and is not done).</summary>
    internal bool IsStarted => _state == StateRunning;

    /// <summary>The last AioRun awaitable the task's code created (see <see cref="IReportedWait"/>).</summary>
    internal IReportedWait? WaitingOn => Volatile.Read(ref _waitingOn);

    /// <summary>Remembers <paramref name="wait"/> as what the task now waits on, for the task report. Any thread.</summary>
    internal void NoteWaitingOn(IReportedWait wait) => Volatile.Write(ref _waitingOn, wait);

    /// <summary>Forgets <paramref name="wait"/> if it is still the one remembered (it completed, and need not be kept alive).</summary>
    internal void ForgetWaitingOn(IReportedWait wait) => Interlocked.CompareExchange(ref _waitingOn, null, wait);

    /// <summary>The exception the task failed with, or <see langword="null"/>.</summary>
    public Exception? Exception => _state == StateFaulted ? ((ExceptionDispatchInfo)_workOrInner!).SourceException : null;

    /// <summary>The task's cancellation token: cancelled by <see cref="Cancel"/> and by the shutdown (unless protected).</summary>
    public CancellationToken CancellationToken
    {
        get
        {
            CancellationTokenSource? cts = Volatile.Read(ref _cts);
            if (cts is null)
            {
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _cts, created, null);
                if (cts is null)
                {
                    cts = created;
                    if (IsCancellationRequested)
                    {
                        cts.Cancel();
                    }
                }
            }

            return cts.Token;
        }
    }

    /// <summary>
    /// Requests cancellation: a task that has not started yet never runs; a running one sees its token
    /// cancelled, so its awaits that observe the token throw <see cref="OperationCanceledException"/>. Any thread.
    /// </summary>
    /// <returns><see langword="false"/> if the task was already done.</returns>
    public bool Cancel()
    {
        if (IsDone)
        {
            return false;
        }

        if (Interlocked.Exchange(ref _cancelRequested, 1) == 0)
        {
            Volatile.Read(ref _cts)?.Cancel();
            Interlocked.Exchange(ref _sleep, null)?.Cancel();
        }

        return true;
    }

    /// <summary>
    /// Takes <paramref name="sleep"/> as the sleep that <see cref="Cancel"/> cancels directly. Loop thread; the sleep is new.
    /// </summary>
    /// <returns><see langword="false"/> if the task already has such a sleep going on (the sleep must then register on the token).</returns>
    internal bool WatchSleep(SleepTimer sleep)
    {
        if (Volatile.Read(ref _sleep) is not null)
        {
            return false;
        }

        sleep.Owner = this;
        Interlocked.Exchange(ref _sleep, sleep);
        if (IsCancellationRequested && Interlocked.CompareExchange(ref _sleep, null, sleep) == sleep)
        {
            // Cancel ran meanwhile on another thread and did not see the sleep: cancel it here (exactly one of us takes it).
            sleep.Cancel();
        }

        return true;
    }

    /// <summary>The sleep ended: it is no longer the one to cancel.</summary>
    internal void ForgetSleep(SleepTimer sleep) => Interlocked.CompareExchange(ref _sleep, null, sleep);

    /// <summary>The sleep that was the whole of the work ended (see <see cref="SleepTimer.FinishOwnerWhenDone"/>); on the loop.</summary>
    internal void OnSleepDone() => OnInnerCompleted((Task)_workOrInner!);

    /// <summary>Gets an awaiter; awaiting the task observes its outcome (a failure is then not reported as unhandled).</summary>
    /// <returns>The awaiter.</returns>
    public AioTaskAwaiter GetAwaiter()
    {
        _observed = true;
        return new AioTaskAwaiter(this);
    }

    /// <summary>
    /// A <see cref="Task"/> with the same outcome, for <c>Task.WhenAll</c> and friends; its <see cref="Task.AsyncState"/> is
    /// this task. Observes the outcome: a failure is left to whoever awaits that task (if nobody does, it goes to the
    /// exception handler when the GC finds it unobserved).
    /// </summary>
    /// <returns>The task.</returns>
    public Task AsTask() => (Task)CompletionTask();

    /// <inheritdoc/>
    public override string ToString()
    {
        string state = _state switch
        {
            StatePending => "pending",
            StateRunning => "running",
            StateSucceeded => "finished",
            StateFaulted => "failed",
            _ => "cancelled",
        };
        return $"AioTask '{Name}' ({state}, created at {CreationSite}{(IsProtected ? ", protected" : string.Empty)})";
    }

    private protected object CompletionTask()
    {
        _observed = true;
        object? source = Volatile.Read(ref _completionSource);
        if (source is null)
        {
            object created = NewCompletionSource();
            source = Interlocked.CompareExchange(ref _completionSource, created, null) ?? created;
        }

        if (IsDone)
        {
            Complete(source);
        }

        return TaskOf(source);
    }

    // Completed last in Finish, on the loop: continuations may run inline there (Task.WhenAll's bookkeeping
    // then stays on the loop instead of going through the thread pool once per task). The task carries this one as its
    // state: asking for AsTask() counts as observing, so a failure nobody then awaits is reported when the GC finds it.
    private protected virtual object NewCompletionSource() => new TaskCompletionSource(this);

    bool IReportsUnobservedFailure.TryReportUnobserved(Task task, Exception error)
    {
        // A shield's task carries its ShieldLink instead, so only AsTask()'s task can match here.
        if (task != CompletionTaskIfAny)
        {
            return false;
        }

        Loop.ReportFromAnotherThread(new AioExceptionContext("Exception in a task whose AsTask() nobody awaited", error, this));
        return true;
    }

    private protected virtual object TaskOf(object completionSource) => ((TaskCompletionSource)completionSource).Task;

    private protected virtual void SetResult(object completionSource) => ((TaskCompletionSource)completionSource).TrySetResult();

    private protected virtual void SetException(object completionSource, Exception exception) =>
        ((TaskCompletionSource)completionSource).TrySetException(exception);

    private protected virtual void SetCanceled(object completionSource, CancellationToken token) =>
        ((TaskCompletionSource)completionSource).TrySetCanceled(token);

    private protected virtual Task InvokeWork(object work) => work is Func<CancellationToken, Task> withToken
        ? withToken(CancellationToken)
        : ((Func<Task>)work)();

    private protected virtual void OnSucceeded(Task inner)
    {
    }

    /// <summary>Starts the work, on the loop thread. Scheduled by the loop when the task is created.</summary>
    internal void Start()
    {
        if (_state != StatePending)
        {
            return;
        }

        if (IsCancellationRequested)
        {
            Finish(StateCancelled, null);
            return;
        }

        _state = StateRunning;
        object work = _workOrInner!;
        _workOrInner = null;
        AioTask? previous = s_current.Value;
        s_current.Value = this;
        Task? inner;
        try
        {
            inner = InvokeWork(work);
        }
        catch (Exception ex)
        {
            s_current.Value = previous;
            FinishWithException(ex);
            return;
        }

        s_current.Value = previous;
        if (inner is null)
        {
            FinishWithException(new InvalidOperationException($"The work of task '{Name}' (created at {CreationSite}) returned null instead of a Task."));
            return;
        }

        if (inner.IsCompleted)
        {
            OnInnerCompleted(inner);
            return;
        }

        _workOrInner = inner;
        if (Volatile.Read(ref _sleep) is { } sleep && ReferenceEquals(sleep.Task, inner) && sleep.FinishOwnerWhenDone())
        {
            // The work is one Aio.Sleep (CreateTask(() => Aio.Sleep(..))): the timer finishes this task when it ends.
            return;
        }

        TaskCompletionHook hook = Loop.RentHook();
        hook.Task = this;

        // Captures the loop (the current SynchronizationContext): a completion on the loop thread runs the
        // hook inline, one on another thread is posted to the loop. A ConfigureAwait(false) continuation
        // would never run inline under a custom SynchronizationContext; it would hop via the thread pool.
        inner.GetAwaiter().UnsafeOnCompleted(hook.Callback);
    }

    /// <summary>Called by the hook when the work's Task completes, on whatever thread completed it.</summary>
    internal void OnInnerCompleted(TaskCompletionHook hook)
    {
        if (Loop.IsOwnedByCurrentThread)
        {
            hook.Task = null;
            Loop.ReturnHook(hook);
            OnInnerCompleted((Task)_workOrInner!);
        }
        else
        {
            // Completed elsewhere while the loop's context was not captured; the bookkeeping belongs on the loop.
            Loop.CallSoonThreadsafe(static state => ((TaskCompletionHook)state!).Task!.OnInnerCompleted((TaskCompletionHook)state), hook);
        }
    }

    private void OnInnerCompleted(Task inner)
    {
        if (inner.IsCompletedSuccessfully)
        {
            OnSucceeded(inner);
            Finish(StateSucceeded, null);
            return;
        }

        if (inner.IsCanceled && IsCancellationRequested)
        {
            // What rethrowing would conclude (an OperationCanceledException after Cancel), without a second throw per task.
            Finish(StateCancelled, null);
            return;
        }

        try
        {
            inner.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            FinishWithException(ex);
        }
    }

    private void FinishWithException(Exception ex)
    {
        if (ex is OperationCanceledException && IsCancellationRequested)
        {
            Finish(StateCancelled, null);
        }
        else
        {
            Finish(StateFaulted, ExceptionDispatchInfo.Capture(ex));
        }
    }

    private void Finish(int state, ExceptionDispatchInfo? error)
    {
        _workOrInner = error;
        _waitingOn = null;
        Interlocked.Exchange(ref _state, state);
        Loop.Unregister(this);

        bool reported = state == StateFaulted && NobodyWillSeeTheFailure();
        if (reported)
        {
            Loop.CallExceptionHandler(new AioExceptionContext("Unhandled exception in a task nobody awaits", error!.SourceException, this));
        }

        object? continuation = _continuation;
        _continuation = null;
        if (continuation is Action single)
        {
            Loop.CallSoon(single);
        }
        else if (continuation is System.Collections.Generic.List<Action> many)
        {
            foreach (Action c in many)
            {
                Loop.CallSoon(c);
            }
        }

        object? source = Volatile.Read(ref _completionSource);
        if (source is not null)
        {
            Complete(source);
            if (reported)
            {
                // Reading Exception observes it: the handler has the failure, the GC must not report it a second time.
                _ = ((Task)TaskOf(source)).Exception;
            }
        }
    }

    /// <summary>
    /// Whether a failure would go unseen: nobody awaited the task, and it is not the work of a
    /// <c>ShutdownWaitsFor</c> whose caller may still await it.
    /// </summary>
    private bool NobodyWillSeeTheFailure() => !_observed && Volatile.Read(ref _completionSource) switch
    {
        null => true,
        IShieldCompletion shield => shield.Link.CallerIsGone,
        _ => false,
    };

    private void Complete(object completionSource)
    {
        (completionSource as IShieldCompletion)?.Link.Unwatch();
        switch (_state)
        {
            case StateSucceeded:
                SetResult(completionSource);
                break;
            case StateFaulted:
                SetException(completionSource, ((ExceptionDispatchInfo)_workOrInner!).SourceException);
                break;
            default:
                SetCanceled(completionSource, CancellationTokenOrNone);
                break;
        }
    }

    /// <summary>The task of the completion source (AsTask's, or the one ShutdownWaitsFor handed out), if there is one yet.</summary>
    internal Task? CompletionTaskIfAny => Volatile.Read(ref _completionSource) is { } source ? (Task)TaskOf(source) : null;

    private CancellationToken CancellationTokenOrNone => Volatile.Read(ref _cts)?.Token ?? default;

    /// <summary>Registers an await continuation. On the loop it is queued on the loop when the task is done.</summary>
    internal void OnCompleted(Action continuation)
    {
        if (!Loop.IsOwnedByCurrentThread || !ReferenceEquals(SynchronizationContext.Current, Loop))
        {
            // Awaited from elsewhere: get the standard Task behaviour (its context, its thread pool).
            AsTask().ConfigureAwait(true).GetAwaiter().UnsafeOnCompleted(continuation);
            return;
        }

        if (IsDone)
        {
            Loop.CallSoon(continuation);
            return;
        }

        switch (_continuation)
        {
            case null:
                _continuation = continuation;
                break;
            case Action first:
                _continuation = new System.Collections.Generic.List<Action> { first, continuation };
                break;
            default:
                ((System.Collections.Generic.List<Action>)_continuation).Add(continuation);
                break;
        }
    }

    /// <summary>Returns the outcome: nothing, or throws the failure, or <see cref="OperationCanceledException"/>.</summary>
    internal void ThrowIfNotSucceeded()
    {
        switch (_state)
        {
            case StateSucceeded:
                return;
            case StateFaulted:
                ((ExceptionDispatchInfo)_workOrInner!).Throw();
                return;
            case StateCancelled:
                throw new OperationCanceledException($"Task '{Name}' was cancelled.", CancellationTokenOrNone);
            default:
                throw new InvalidOperationException($"Task '{Name}' is not done yet; await it instead of reading its result.");
        }
    }
}
