using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>
/// A single-threaded event loop, the C# counterpart of asyncio's. The thread that calls
/// <see cref="RunForever"/> runs every callback; while it runs, the loop is that thread's
/// <see cref="SynchronizationContext"/>, so every <c>await</c> in code on the loop resumes on it and
/// that code needs no locks.
/// </summary>
/// <remarks>
/// One turn of the loop (<c>RunOnce</c>) moves work posted from other threads onto the ready
/// queue, waits when there is nothing to do (until a timer is due or work arrives), moves due
/// timers onto the ready queue, then runs the callbacks that were ready when the turn began.
/// Callbacks scheduled during the turn run in the next one, so timers and other threads are
/// never starved.
/// </remarks>
public class AioLoop : SynchronizationContext, IDisposable
{
    private const int StatusIdle = 0;
    private const int StatusRunning = 1;
    private const int StatusClosed = 2;
    private const int OtherClockPollMilliseconds = 50;

    [ThreadStatic]
    private static AioLoop? t_current;

    private static readonly Action<object?> s_startTask = static state => ((AioTask)state!).Start();
    private static readonly Action<object?> s_registerTask = static state => ((AioTask)state!).Loop.Register((AioTask)state);
    private static readonly Action<object?> s_fireTimer = static state => ((TimerHandle)state!).Fire();
    private static readonly Action<object?> s_pushTimer = static state =>
    {
        var timer = (TimerHandle)state!;
        timer.Loop.PushTimer(timer);
    };

    private readonly TimeProvider _time;
    private readonly bool _systemTime;
    private readonly WorkQueue _ready = new();
    private readonly ConcurrentQueue<WorkItem> _incoming = new();
    private int _hasIncoming;
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 20);
    private readonly TimerHeap _timers = new();
    private readonly TaskRegistry _tasks = new();
    private readonly Stack<TaskCompletionHook> _hooks = new();
    private readonly Executor _executor;
    private ITimer? _wakeTimer;
    private long _wakeTimerDue = long.MaxValue;
    private int _waiting;
    private int _threadId;
    private int _ownerThreadId = Environment.CurrentManagedThreadId;
    private volatile bool _stopping;
    private volatile int _status;
    private long _nextTaskId;
    private long _dropped;
    private int _droppedWarned;
    private Action<AioLoop, AioExceptionContext>? _exceptionHandler;
    private bool _stopOnUnhandledErrors;
    private Exception? _unhandledError;
    private SynchronizationContext? _previousContext;
    private ILogger _logger = AioLogging.DefaultLogger;

    /// <summary>Creates a loop on the system clock.</summary>
    public AioLoop()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates a loop whose timers run on <paramref name="timeProvider"/> (use a fake one for virtual time in tests).</summary>
    /// <param name="timeProvider">The clock of the loop's timers, <c>Aio.Sleep</c> and the shutdown timeout.</param>
    public AioLoop(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _systemTime = ReferenceEquals(timeProvider, TimeProvider.System);
        _executor = new Executor(this);
    }

    /// <summary>
    /// The loop running on the current thread. (It hides <see cref="SynchronizationContext.Current"/>;
    /// on the loop thread both are this loop.)
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop runs on the current thread.</exception>
    public static new AioLoop Current =>
        t_current ?? throw new InvalidOperationException(
            $"AioLoop.Current was used on thread {Environment.CurrentManagedThreadId}, where no AioLoop is running. " +
            "It is only available to code that runs on the loop (a task or a callback); pass the loop explicitly elsewhere.");

    /// <summary>Gets the loop running on the current thread, if any.</summary>
    /// <param name="loop">The running loop, or <see langword="null"/>.</param>
    /// <returns>Whether a loop runs on the current thread.</returns>
    public static bool TryGetCurrent([NotNullWhen(true)] out AioLoop? loop)
    {
        loop = t_current;
        return loop is not null;
    }

    /// <summary>The clock of the loop's timers.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Whether the loop is running (inside <see cref="RunForever"/> or <see cref="RunUntilComplete(Task)"/>).</summary>
    public bool IsRunning => _status == StatusRunning;

    /// <summary>Whether <see cref="Close"/> was called.</summary>
    public bool IsClosed => _status == StatusClosed;

    /// <summary>Where the loop writes its lifecycle lines, warnings and errors (category <c>AioRun</c>).</summary>
    /// <remarks>By default, standard error at the level of the <c>AIORUN_LOG_LEVEL</c> environment variable (Information when unset).</remarks>
    public ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The most executor work items that run at once; <see langword="null"/> (the default) for no bound.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? ExecutorWorkers
    {
        get => _executor.MaxWorkers;
        set => _executor.MaxWorkers = value;
    }

    /// <summary>
    /// How many callbacks were posted to this loop after it was closed and therefore dropped.
    /// The first one is logged as a warning.
    /// </summary>
    public long DroppedWorkCount => Interlocked.Read(ref _dropped);

    /// <summary>Whether an unhandled error stops the loop (see <see cref="EnableStopOnUnhandledErrors"/>).</summary>
    public bool StopOnUnhandledErrors => _stopOnUnhandledErrors;

    /// <summary>
    /// The first unhandled error that stopped the loop when <see cref="StopOnUnhandledErrors"/> is on;
    /// otherwise <see langword="null"/>.
    /// </summary>
    public Exception? UnhandledError => Volatile.Read(ref _unhandledError);

    /// <summary>How many executor work items have not finished yet.</summary>
    public int PendingExecutorWork => _executor.Pending;

    /// <summary>
    /// Whether the calling thread owns the loop's single-threaded state: the thread running it, or, while it
    /// is not running, the thread that ran it last (or created it). Work arriving on any other thread goes
    /// through the thread-safe queue.
    /// </summary>
    internal bool IsOwnedByCurrentThread => Volatile.Read(ref _ownerThreadId) == Environment.CurrentManagedThreadId;

    /// <summary>Whether tasks created from now on start cancelled (set by the shutdown's cancel phase).</summary>
    internal bool CancelNewTasks { get; set; }

    /// <summary>How many tracked tasks are not done.</summary>
    internal int PendingTaskCount => _tasks.Count;

    // ------------------------------------------------------------------ the clock

    /// <summary>The loop's clock, in seconds (asyncio's <c>loop.time()</c>).</summary>
    /// <returns>Seconds on a monotonic clock.</returns>
    public double Time() => TimestampToSeconds(_time.GetTimestamp());

    internal double TimestampToSeconds(long timestamp) => timestamp / (double)_time.TimestampFrequency;

    internal long DueTimestamp(TimeSpan delay)
    {
        long now = _time.GetTimestamp();
        if (delay <= TimeSpan.Zero)
        {
            return now;
        }

        double ticks = delay.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)Math.Ceiling(ticks);
    }

    // ------------------------------------------------------------------ scheduling

    /// <summary>Schedules <paramref name="callback"/> to run in the next turn of the loop. Loop thread only.</summary>
    /// <param name="callback">The work.</param>
    public void CallSoon(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueOnLoopThread(callback, null, nameof(CallSoon));
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) to run in the next turn of the loop. Loop thread only.</summary>
    /// <param name="callback">The work.</param>
    /// <param name="state">Passed to the callback.</param>
    public void CallSoon(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueOnLoopThread(callback, state, nameof(CallSoon));
    }

    /// <summary>Schedules <paramref name="callback"/> on the loop from any thread.</summary>
    /// <param name="callback">The work.</param>
    /// <remarks>On a closed loop the callback is dropped and counted (<see cref="DroppedWorkCount"/>); nothing is thrown.</remarks>
    public void CallSoonThreadsafe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueThreadsafe(new WorkItem(callback, null));
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) on the loop from any thread.</summary>
    /// <param name="callback">The work.</param>
    /// <param name="state">Passed to the callback.</param>
    public void CallSoonThreadsafe(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnqueueThreadsafe(new WorkItem(callback, state));
    }

    /// <summary>Runs <paramref name="callback"/> on the loop after <paramref name="delay"/>, on the loop's clock. Any thread.</summary>
    /// <param name="delay">How long to wait; zero or more.</param>
    /// <param name="callback">The work.</param>
    /// <returns>A handle that cancels the callback.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public TimerHandle CallLater(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ValidateDelay(delay, nameof(delay));
        var timer = new CallbackTimer(this, DueTimestamp(delay), callback);
        ScheduleTimer(timer);
        return timer;
    }

    /// <summary>Runs <paramref name="callback"/> on the loop after <paramref name="seconds"/> seconds. Any thread.</summary>
    /// <param name="seconds">How long to wait; zero or more, not NaN.</param>
    /// <param name="callback">The work.</param>
    /// <returns>A handle that cancels the callback.</returns>
    public TimerHandle CallLater(double seconds, Action callback) => CallLater(SecondsToDelay(seconds, nameof(seconds)), callback);

    internal void ScheduleTimer(TimerHandle timer)
    {
        ThrowIfClosed();
        if (IsOwnedByCurrentThread)
        {
            PushTimer(timer);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(s_pushTimer, timer));
        }
    }

    private void PushTimer(TimerHandle timer)
    {
        if (!timer.IsCancelled)
        {
            _timers.Push(timer);
        }
    }

    internal void OnTimerCancelled()
    {
        if (IsOwnedByCurrentThread)
        {
            _timers.CancelledCount++;
        }
    }

    internal static TimeSpan SecondsToDelay(double seconds, string paramName)
    {
        if (double.IsNaN(seconds))
        {
            throw new ArgumentOutOfRangeException(paramName, seconds, $"{paramName} is NaN; give a number of seconds, zero or more.");
        }

        if (seconds < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, seconds, $"{paramName} is negative ({seconds}); give a number of seconds, zero or more.");
        }

        return double.IsPositiveInfinity(seconds) || seconds >= TimeSpan.MaxValue.TotalSeconds
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    internal static void ValidateDelay(TimeSpan delay, string paramName)
    {
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, delay, $"{paramName} is negative ({delay}); give zero or more.");
        }
    }

    // ------------------------------------------------------------------ SynchronizationContext

    /// <summary>Queues <paramref name="d"/> on the loop. Any thread; an await continuation on the loop ends up here.</summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Volatile.Read(ref _threadId) == Environment.CurrentManagedThreadId)
        {
            // On the running loop's thread (a running loop is never closed).
            _ready.Enqueue(d, state);
        }
        else
        {
            EnqueueThreadsafe(new WorkItem(d, state));
        }
    }

    /// <summary>
    /// Runs <paramref name="d"/> on the loop and waits for it. On the loop thread it runs at once; from
    /// another thread it is queued and the caller blocks until it ran, and its exception is rethrown.
    /// </summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <exception cref="InvalidOperationException">The loop is closed, or was closed before the callback ran.</exception>
    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Volatile.Read(ref _threadId) == Environment.CurrentManagedThreadId)
        {
            d(state);
            return;
        }

        ThrowIfClosed();
        using var request = new SendRequest(d, state);
        EnqueueThreadsafe(new WorkItem(SendRequest.RunCallback, request));
        request.Wait();
    }

    /// <summary>The loop is its own copy: every copy posts to the same loop.</summary>
    /// <returns>This loop.</returns>
    public override SynchronizationContext CreateCopy() => this;

    // ------------------------------------------------------------------ running

    /// <summary>Runs the loop until <see cref="Stop"/> is called. A stop requested before the call lets one turn run, then returns.</summary>
    /// <exception cref="InvalidOperationException">The loop is closed or already running, or another loop runs on this thread.</exception>
    public void RunForever()
    {
        EnterRunning();
        try
        {
            while (true)
            {
                RunOnce(runNextTurns: true);
                if (_stopping)
                {
                    break;
                }
            }
        }
        finally
        {
            _stopping = false;
            ExitRunning();
        }
    }

    /// <summary>Runs the loop until <paramref name="task"/> completes, then returns its outcome (rethrowing its exception).</summary>
    /// <param name="task">The task to wait for.</param>
    /// <exception cref="InvalidOperationException">The loop stopped before the task completed.</exception>
    public void RunUntilComplete(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        RunUntilCompleteCore(task);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Runs the loop until <paramref name="task"/> completes, then returns its result (rethrowing its exception).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task to wait for.</param>
    /// <returns>The task's result.</returns>
    public T RunUntilComplete<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        RunUntilCompleteCore(task);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Runs the loop until <paramref name="task"/> is done, then returns its outcome (rethrowing its exception).</summary>
    /// <param name="task">A tracked task of this loop.</param>
    public void RunUntilComplete(AioTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        RunUntilComplete(task.AsTask());
    }

    /// <summary>Runs the loop until <paramref name="task"/> is done, then returns its result (rethrowing its exception).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">A tracked task of this loop.</param>
    /// <returns>The task's result.</returns>
    public T RunUntilComplete<T>(AioTask<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return RunUntilComplete(task.AsTask());
    }

    private void RunUntilCompleteCore(Task task)
    {
        if (!task.IsCompleted)
        {
            // The stop belongs to this call only: if the loop stops for another reason first, a late
            // completion must not stop a later run.
            var current = new StrongBox<bool>(true);
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
            {
                if (Volatile.Read(ref current.Value))
                {
                    Stop();
                }
            });
            try
            {
                RunForever();
            }
            finally
            {
                Volatile.Write(ref current.Value, false);
            }
        }

        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("The loop stopped before the task passed to RunUntilComplete completed.");
        }
    }

    /// <summary>
    /// Runs the loop while <paramref name="keepRunning"/> holds, at most <paramref name="timeout"/> on the
    /// loop's clock. Stop requests made meanwhile are ignored: the shutdown phases use this.
    /// </summary>
    /// <returns>Whether <paramref name="keepRunning"/> became false (rather than the time running out).</returns>
    internal bool RunWhile(Func<bool> keepRunning, TimeSpan timeout)
    {
        EnterRunning();
        var timedOut = new StrongBox<bool>();
        TimerHandle? deadline = timeout == Timeout.InfiniteTimeSpan
            ? null
            : CallLater(timeout, () => timedOut.Value = true);
        try
        {
            while (keepRunning())
            {
                if (timedOut.Value)
                {
                    return false;
                }

                RunOnce(runNextTurns: false);
                _stopping = false;
            }

            return true;
        }
        finally
        {
            deadline?.Cancel();
            _stopping = false;
            ExitRunning();
        }
    }

    /// <summary>Asks the loop to stop after the callbacks of the current turn. Any thread.</summary>
    public void Stop()
    {
        _stopping = true;
        Wakeup();
    }

    /// <summary>
    /// Closes the loop: drops callbacks and timers still queued (logging how many), stops accepting
    /// work (later posts are dropped and counted) and releases the loop's resources.
    /// Idempotent. Executor work already started goes on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is running.</exception>
    public void Close()
    {
        if (_status == StatusRunning)
        {
            throw new InvalidOperationException("Cannot close a running AioLoop; stop it first (Stop) and let RunForever return.");
        }

        if (Interlocked.Exchange(ref _status, StatusClosed) == StatusClosed)
        {
            return;
        }

        int discarded = 0;
        _ready.Clear(item => discarded += Discard(item));
        while (_incoming.TryDequeue(out WorkItem item))
        {
            discarded += Discard(item);
        }

        _timers.Clear();
        _wakeTimer?.Dispose();
        if (discarded > 0)
        {
            Log.ClosedWithQueuedWork(_logger, discarded);
        }
    }

    /// <summary>Closes the loop (see <see cref="Close"/>).</summary>
    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    private static int Discard(in WorkItem item)
    {
        if (item.State is SendRequest send)
        {
            send.Abandon();
        }

        return 1;
    }

    private void EnterRunning()
    {
        if (_status == StatusClosed)
        {
            throw new InvalidOperationException("This AioLoop is closed; create a new one to run again.");
        }

        if (t_current is not null)
        {
            throw new InvalidOperationException(ReferenceEquals(t_current, this)
                ? "This AioLoop is already running (RunForever or RunUntilComplete was called from code on the loop)."
                : $"Another AioLoop is already running on thread {Environment.CurrentManagedThreadId}; one thread runs at most one loop.");
        }

        if (Interlocked.CompareExchange(ref _status, StatusRunning, StatusIdle) != StatusIdle)
        {
            throw new InvalidOperationException("This AioLoop is already running on another thread.");
        }

        t_current = this;
        Volatile.Write(ref _ownerThreadId, Environment.CurrentManagedThreadId);
        Volatile.Write(ref _threadId, Environment.CurrentManagedThreadId);
        _previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(this);
    }

    private void ExitRunning()
    {
        SynchronizationContext.SetSynchronizationContext(_previousContext);
        _previousContext = null;
        Volatile.Write(ref _threadId, 0);
        t_current = null;
        Interlocked.CompareExchange(ref _status, StatusIdle, StatusRunning);
    }

    /// <summary>
    /// One turn: take posted work, wait if idle, move due timers, run what was ready. With
    /// <paramref name="runNextTurns"/>, when a turn leaves only new ready callbacks (no timers, nothing posted
    /// from other threads, no stop) the next turn starts right here: it would do exactly the same, minus the way
    /// round. RunWhile passes false, since it checks its condition between turns.
    /// </summary>
    private void RunOnce(bool runNextTurns)
    {
        MoveIncoming();
        if (_ready.Count == 0 && !_stopping)
        {
            WaitForWork();
            MoveIncoming();
        }

        if (_timers.Count > 0)
        {
            MoveDueTimers();
        }

        int n = _ready.Count;
        while (n > 0)
        {
            try
            {
                while (n > 0)
                {
                    n--;
                    _ready.Dequeue().Invoke();
                }
            }
            catch (Exception ex)
            {
                CallExceptionHandler(new AioExceptionContext("Exception in callback", ex));
            }

            if (n == 0 && runNextTurns && _timers.Count == 0 && Volatile.Read(ref _hasIncoming) == 0 && !_stopping)
            {
                n = _ready.Count;
            }
        }
    }

    /// <summary>Moves work posted by other threads onto the ready queue; a flag spares the concurrent queue when there is none.</summary>
    private void MoveIncoming()
    {
        if (Volatile.Read(ref _hasIncoming) == 0 || Interlocked.Exchange(ref _hasIncoming, 0) == 0)
        {
            return;
        }

        while (_incoming.TryDequeue(out WorkItem item))
        {
            _ready.Enqueue(item);
        }
    }

    private void MoveDueTimers()
    {
        _timers.CompactIfMostlyCancelled();
        long now = _time.GetTimestamp();
        while (_timers.Count > 0)
        {
            TimerHandle next = _timers.Peek();
            if (!next.IsCancelled && next.Due > now)
            {
                break;
            }

            _timers.Pop();
            if (!next.IsCancelled)
            {
                _ready.Enqueue(s_fireTimer, next);
            }
        }
    }

    private void WaitForWork()
    {
        int timeoutMs = Timeout.Infinite;
        long due = long.MaxValue;
        while (_timers.Count > 0 && _timers.Peek().IsCancelled)
        {
            _timers.Pop();
        }

        if (_timers.Count > 0)
        {
            due = _timers.Peek().Due;
            long now = _time.GetTimestamp();
            if (due <= now)
            {
                return;
            }

            if (_systemTime)
            {
                double ms = Math.Ceiling((due - now) * 1000.0 / _time.TimestampFrequency);
                timeoutMs = ms >= int.MaxValue ? int.MaxValue - 1 : (int)ms;
            }
            else
            {
                // Another clock's timers are relative to its "now", which may move while we arm ours;
                // so the loop also re-reads that clock now and then instead of trusting one wake-up.
                ArmWakeTimer(due, now);
                timeoutMs = OtherClockPollMilliseconds;
            }
        }

        _wake.Reset();
        Interlocked.Exchange(ref _waiting, 1);
        if (_incoming.IsEmpty && !_stopping && _time.GetTimestamp() < due)
        {
            _wake.Wait(timeoutMs);
        }

        Volatile.Write(ref _waiting, 0);
    }

    /// <summary>With a non-system clock, a timer of that clock wakes the loop when the next timer is due.</summary>
    private void ArmWakeTimer(long due, long now)
    {
        if (due == _wakeTimerDue)
        {
            return;
        }

        _wakeTimerDue = due;
        _wakeTimer ??= _time.CreateTimer(static state => ((AioLoop)state!).OnWakeTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var delay = TimeSpan.FromSeconds((due - now) / (double)_time.TimestampFrequency);
        _wakeTimer.Change(delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnWakeTimer()
    {
        Volatile.Write(ref _wakeTimerDue, long.MaxValue);
        Wakeup();
    }

    /// <summary>Wakes the loop if it waits for work. Any thread.</summary>
    internal void Wakeup()
    {
        if (Volatile.Read(ref _waiting) == 1)
        {
            _wake.Set();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnqueueOnLoopThread(object callback, object? state, string api)
    {
        // The running loop's own thread is the fast path: a running loop is never closed.
        int owner = Volatile.Read(ref _threadId);
        if (owner != Environment.CurrentManagedThreadId)
        {
            if (owner != 0)
            {
                ThrowNotThreadSafe(api, owner);
            }

            if (_status == StatusClosed)
            {
                DropClosed();
                return;
            }
        }

        _ready.Enqueue(callback, state);
    }

    private static void ThrowNotThreadSafe(string api, int owner) => throw new InvalidOperationException(
        $"AioLoop.{api} was called on thread {Environment.CurrentManagedThreadId} while the loop runs on thread {owner}; " +
        "it is not thread-safe. Use CallSoonThreadsafe from other threads.");

    private void EnqueueThreadsafe(in WorkItem item)
    {
        if (_status == StatusClosed)
        {
            if (item.State is SendRequest send)
            {
                send.Abandon();
            }

            DropClosed();
            return;
        }

        _incoming.Enqueue(item);
        Volatile.Write(ref _hasIncoming, 1);
        if (_status == StatusClosed && _incoming.TryDequeue(out WorkItem late))
        {
            // Closed between the check and the enqueue: Close may already have drained the queue.
            Discard(late);
            DropClosed();
            return;
        }

        Wakeup();
    }

    private void DropClosed()
    {
        Interlocked.Increment(ref _dropped);
        if (Interlocked.Exchange(ref _droppedWarned, 1) == 0)
        {
            Log.WorkDroppedAfterClose(_logger);
        }
    }

    private void ThrowIfClosed()
    {
        if (_status == StatusClosed)
        {
            throw new InvalidOperationException("This AioLoop is closed; it accepts no new tasks or timers.");
        }
    }

    // ------------------------------------------------------------------ tasks

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
        if (CancelNewTasks && !task.IsProtected)
        {
            Log.CancellingTask(_logger, task.Name);
            task.Cancel();
        }

        _ready.Enqueue(s_startTask, task);
    }

    internal void Unregister(AioTask task) => _tasks.Remove(task);

    internal AioTask[] SnapshotTasks() => _tasks.Snapshot();

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

    // ------------------------------------------------------------------ executor

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread (at most <see cref="ExecutorWorkers"/> at once). The shutdown waits for it.</summary>
    /// <param name="work">Synchronous work, off the loop.</param>
    /// <returns>A task that completes with the work; awaited on the loop, it resumes on the loop.</returns>
    public Task RunInExecutor(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfClosed();
        return _executor.Run(work);
    }

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread (at most <see cref="ExecutorWorkers"/> at once). The shutdown waits for it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">Synchronous work, off the loop.</param>
    /// <returns>A task that completes with the work's result; awaited on the loop, it resumes on the loop.</returns>
    public Task<T> RunInExecutor<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfClosed();
        return _executor.Run(work);
    }

    // ------------------------------------------------------------------ errors

    /// <summary>Sets the handler for unhandled errors (failed tasks nobody awaits, callbacks that throw); <see langword="null"/> restores the default.</summary>
    /// <param name="handler">The handler; it runs on the loop thread.</param>
    /// <exception cref="InvalidOperationException"><see cref="StopOnUnhandledErrors"/> is on: the two cannot be combined.</exception>
    public void SetExceptionHandler(Action<AioLoop, AioExceptionContext>? handler)
    {
        if (handler is not null && _stopOnUnhandledErrors)
        {
            throw new InvalidOperationException(StopOnUnhandledErrorsRefusal);
        }

        _exceptionHandler = handler;
    }

    /// <summary>The handler set by <see cref="SetExceptionHandler"/>, or <see langword="null"/> for the default.</summary>
    /// <returns>The custom handler, if any.</returns>
    public Action<AioLoop, AioExceptionContext>? GetExceptionHandler() => _exceptionHandler;

    /// <summary>
    /// Makes the first unhandled error stop the loop: it is remembered in <see cref="UnhandledError"/>,
    /// <c>Unhandled exception; stopping loop.</c> is logged, and the loop stops. Later errors are logged.
    /// </summary>
    /// <exception cref="InvalidOperationException">A custom exception handler is set (aiorun refuses this combination).</exception>
    public void EnableStopOnUnhandledErrors()
    {
        if (_exceptionHandler is not null)
        {
            throw new InvalidOperationException(StopOnUnhandledErrorsRefusal);
        }

        _stopOnUnhandledErrors = true;
    }

    /// <summary>The refusal aiorun gives for a custom exception handler combined with StopOnUnhandledErrors.</summary>
    public const string StopOnUnhandledErrorsRefusal =
        "If you provide a loop instance, and you've configured a custom exception handler on it, then the 'stop_on_unhandled_errors' parameter is unavailable (all exceptions will be handled).";

    /// <summary>Hands <paramref name="context"/> to the exception handler (or the StopOnUnhandledErrors behaviour, or the default).</summary>
    /// <param name="context">What went wrong.</param>
    public void CallExceptionHandler(AioExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_stopOnUnhandledErrors && context.Exception is not null)
        {
            if (Interlocked.CompareExchange(ref _unhandledError, context.Exception, null) is null)
            {
                Log.StoppingOnUnhandled(_logger);
                Stop();
            }
            else
            {
                DefaultExceptionHandler(context);
            }

            return;
        }

        Action<AioLoop, AioExceptionContext>? handler = _exceptionHandler;
        if (handler is null)
        {
            DefaultExceptionHandler(context);
            return;
        }

        try
        {
            handler(this, context);
        }
        catch (Exception ex)
        {
            DefaultExceptionHandler(new AioExceptionContext("Unhandled error in the exception handler", ex, context.Task));
        }
    }

    /// <summary>The default reaction to an unhandled error: log it with its stack trace and keep running.</summary>
    /// <param name="context">What went wrong.</param>
    public void DefaultExceptionHandler(AioExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Log.UnhandledError(_logger, context.Describe(), context.Exception);
    }

    /// <summary>A cross-thread <see cref="Send"/>: the caller waits until the loop ran the callback.</summary>
    private sealed class SendRequest : IDisposable
    {
        public static readonly Action<object?> RunCallback = static state => ((SendRequest)state!).Run();

        private readonly SendOrPostCallback _callback;
        private readonly object? _state;
        private readonly ManualResetEventSlim _done = new();
        private ExceptionDispatchInfo? _error;
        private bool _abandoned;

        public SendRequest(SendOrPostCallback callback, object? state)
        {
            _callback = callback;
            _state = state;
        }

        public void Wait()
        {
            _done.Wait();
            if (_abandoned)
            {
                throw new InvalidOperationException("The AioLoop was closed before the callback passed to Send could run.");
            }

            _error?.Throw();
        }

        public void Abandon()
        {
            _abandoned = true;
            _done.Set();
        }

        public void Dispose() => _done.Dispose();

        private void Run()
        {
            try
            {
                _callback(_state);
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
