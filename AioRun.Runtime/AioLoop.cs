using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
public partial class AioLoop : SynchronizationContext, IDisposable
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
    private WorkQueue _ready = new(); // a mutable struct: never copy it, never make the field readonly
    // Work posted from other threads, made by the first such post: a loop that never gets any (a program that ends
    // before anything reaches it from another thread) never makes it, nor JIT-compiles its methods, a framework generic
    // over AioRun's type that the package's ReadyToRun code cannot carry. Read with Volatile.Read.
    private ConcurrentQueue<WorkItem>? _incoming;
    // Set by other threads after they queue work, cleared by the loop when it takes it. On a cache line of its
    // own: a producer's write must not invalidate the line of the fields the loop reads for every callback.
    private PaddedFlag _hasIncoming;
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
    private int _closeStarted;
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
        UnobservedFailures.Install();
        RegisterForMetrics();
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
    /// <remarks>The running loop's thread is answered by a thread-static test; reading the managed thread id costs more.</remarks>
    internal bool IsOwnedByCurrentThread =>
        ReferenceEquals(t_current, this) || Volatile.Read(ref _ownerThreadId) == Environment.CurrentManagedThreadId;

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

    /// <summary>
    /// Runs <paramref name="code"/> on this thread as code on the loop before its first turn: the loop is entered as
    /// <see cref="RunForever"/> enters it (<see cref="Current"/>, the <see cref="SynchronizationContext"/>,
    /// <see cref="IsRunning"/>), but no callback runs; those <paramref name="code"/> schedules run once the loop runs.
    /// A <see cref="Stop"/> meanwhile stays requested: the next <see cref="RunForever"/> runs one turn and returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is closed or already running, or another loop runs on this thread.</exception>
    internal void RunBeforeFirstTurn(Action<AioLoop> code)
    {
        EnterRunning();
        try
        {
            code(this);
        }
        finally
        {
            ExitRunning();
        }
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
    /// <remarks>Raises <see cref="Closing"/> first and <see cref="Closed"/> last.</remarks>
    /// <exception cref="InvalidOperationException">The loop is running.</exception>
    public void Close() => CloseWith(lastWords: null);

    /// <summary>Closes the loop; <paramref name="lastWords"/> runs once it is closed, before <see cref="Closed"/> is raised.</summary>
    internal void CloseWith(Action? lastWords)
    {
        if (_status == StatusRunning)
        {
            throw new InvalidOperationException("Cannot close a running AioLoop; stop it first (Stop) and let RunForever return.");
        }

        if (_status == StatusClosed || Interlocked.Exchange(ref _closeStarted, 1) == 1)
        {
            return;
        }

        RaiseCloseEvent(Closing, nameof(Closing));
        Interlocked.Exchange(ref _status, StatusClosed);

        int discarded = 0;
        _ready.Clear(item => discarded += Discard(item));
        if (Volatile.Read(ref _incoming) is { } incoming)
        {
            while (incoming.TryDequeue(out WorkItem item))
            {
                discarded += Discard(item);
            }
        }

        _timers.Clear();
        _wakeTimer?.Dispose();
        StopWatchdog();
        AioMetrics.Unregister(this);
        if (discarded > 0)
        {
            Log.ClosedWithQueuedWork(_logger, discarded);
        }

        lastWords?.Invoke();
        RaiseCloseEvent(Closed, nameof(Closed));
    }

    /// <summary>Closes the loop (see <see cref="Close"/>).</summary>
    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    private static int Discard(in WorkItem item)
    {
        if (ReferenceEquals(item.Callback, s_lagProbe))
        {
            return 0; // AioRun's own, not the user's work
        }

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
        ForgetLagProbe();
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
            BackgroundSetup.OnLoopIdle();
            WaitForWork();
            MoveIncoming();
        }
        else if (_pollsIo)
        {
            PollIo(); // a busy I/O loop still takes I/O readiness once a turn
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

            if (n == 0 && runNextTurns && _timers.Count == 0 && Volatile.Read(ref _hasIncoming.Value) == 0 && !_stopping && !_pollsIo)
            {
                n = _ready.Count;
            }
        }
    }

    /// <summary>Moves work posted by other threads onto the ready queue; a flag spares the concurrent queue when there is none.</summary>
    private void MoveIncoming()
    {
        if (Volatile.Read(ref _hasIncoming.Value) == 0 || Interlocked.Exchange(ref _hasIncoming.Value, 0) == 0)
        {
            return;
        }

        // The flag is set after the post, and the post after the queue was made: it exists.
        ConcurrentQueue<WorkItem> incoming = Volatile.Read(ref _incoming)!;
        while (incoming.TryDequeue(out WorkItem item))
        {
            _ready.Enqueue(item);
        }
    }

    /// <summary>The queue of work posted from other threads, made by the first post. Any thread.</summary>
    private ConcurrentQueue<WorkItem> Incoming => Volatile.Read(ref _incoming) ?? CreateIncoming();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ConcurrentQueue<WorkItem> CreateIncoming()
    {
        var created = new ConcurrentQueue<WorkItem>();
        return Interlocked.CompareExchange(ref _incoming, created, null) ?? created;
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
        OnGoingIdle();
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

        ResetWake();
        Interlocked.Exchange(ref _waiting, 1);
        if ((Volatile.Read(ref _incoming)?.IsEmpty ?? true) && !_stopping && _time.GetTimestamp() < due)
        {
            BlockUntilWoken(timeoutMs);
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
            SignalWake();
        }
    }

    /// <summary>An int alone on its cache line (64 bytes of padding on each side).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 132)]
    private struct PaddedFlag
    {
        [FieldOffset(64)]
        public int Value;
    }
}
