using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// What code on the loop uses: the current task's <see cref="CancellationToken"/>, <see cref="Sleep(double)"/>,
/// <see cref="CreateTask(Func{CancellationToken, Task}, string?, string, int)"/>, <see cref="RunInExecutor(Action)"/>,
/// <see cref="ShutdownWaitsFor(Func{CancellationToken, Task}, string?, string, int)"/> and <see cref="Stop"/>.
/// </summary>
public static class Aio
{
    /// <summary>
    /// The current task's cancellation token: it flows through <c>await</c> into everything the task
    /// calls, even code that left the loop with <c>ConfigureAwait(false)</c>. The shutdown cancels it
    /// (unless the task is protected). <see cref="CancellationToken.None"/> outside a task.
    /// </summary>
    public static CancellationToken CancellationToken => AioTask.Current?.CancellationToken ?? default;

    /// <summary>The task running the current code, or <see langword="null"/> outside a task.</summary>
    public static AioTask? CurrentTask => AioTask.Current;

    /// <summary>
    /// The loop of the current code: the loop running on this thread, else the current task's loop. (A <c>void</c>
    /// entry runs on its loop before the loop's first turn, through <see cref="AioProgram.RunBeforeLoop"/>, so it
    /// finds that loop here too.)
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither exists.</exception>
    public static AioLoop Loop
    {
        get
        {
            if (AioLoop.TryGetCurrent(out AioLoop? loop))
            {
                return loop;
            }

            if (AioTask.Current is { } task)
            {
                return task.Loop;
            }

            throw new InvalidOperationException(
                $"No AioLoop runs on thread {Environment.CurrentManagedThreadId} and the code is not part of an AioTask. " +
                "Aio.* is for code that runs on the loop; pass the loop explicitly elsewhere.");
        }
    }

    /// <summary>Waits <paramref name="seconds"/> seconds on the loop's clock, observing <see cref="CancellationToken"/>.</summary>
    /// <param name="seconds">Zero or more; <see cref="double.PositiveInfinity"/> waits until cancelled.</param>
    /// <returns>A task that completes after the delay, or is cancelled with the current task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative or NaN.</exception>
    public static Task Sleep(double seconds) => SleepInCurrentTask(AioLoop.SecondsToDelay(seconds, nameof(seconds)));

    /// <summary>Waits <paramref name="delay"/> on the loop's clock, observing <see cref="CancellationToken"/>.</summary>
    /// <param name="delay">Zero or more; <see cref="Timeout.InfiniteTimeSpan"/> waits until cancelled.</param>
    /// <returns>A task that completes after the delay, or is cancelled with the current task.</returns>
    public static Task Sleep(TimeSpan delay) => SleepInCurrentTask(delay);

    /// <summary>Waits <paramref name="seconds"/> seconds on the loop's clock, observing <paramref name="cancellationToken"/> instead of the task's.</summary>
    /// <param name="seconds">Zero or more; <see cref="double.PositiveInfinity"/> waits until cancelled.</param>
    /// <param name="cancellationToken">The token to observe (<see cref="CancellationToken.None"/> for cleanup code that must not be cancelled).</param>
    /// <returns>A task that completes after the delay, or is cancelled with the token.</returns>
    public static Task Sleep(double seconds, CancellationToken cancellationToken) =>
        Sleep(AioLoop.SecondsToDelay(seconds, nameof(seconds)), cancellationToken);

    /// <summary>Waits <paramref name="delay"/> on the loop's clock, observing <paramref name="cancellationToken"/> instead of the task's.</summary>
    /// <param name="delay">Zero or more; <see cref="Timeout.InfiniteTimeSpan"/> waits until cancelled.</param>
    /// <param name="cancellationToken">The token to observe.</param>
    /// <returns>A task that completes after the delay, or is cancelled with the token.</returns>
    public static Task Sleep(TimeSpan delay, CancellationToken cancellationToken) => Sleep(delay, cancellationToken, AioTask.Current);

    /// <summary>
    /// The sleep that observes the current task's own cancellation. On the loop thread the task cancels the timer itself
    /// (<see cref="AioTask.Cancel"/>), so a sleeping task holds no token source and no registration on one: a quarter of
    /// what a task asleep in <c>Aio.Sleep</c> costs. A second sleep of the same task at once, or one on another thread,
    /// registers on the token as any other.
    /// </summary>
    private static Task SleepInCurrentTask(TimeSpan delay)
    {
        AioTask? current = AioTask.Current;
        if (current is null || !ReferenceEquals(AioLoop.TryGetCurrent(out AioLoop? running) ? running : null, current.Loop))
        {
            return Sleep(delay, current?.CancellationToken ?? default, current);
        }

        AioLoop.ValidateDelay(delay, nameof(delay));
        AioLoop loop = current.Loop;
        if (current.IsCancellationRequested)
        {
            return Task.FromCanceled(current.CancellationToken);
        }

        var timer = new SleepTimer(loop, delay == Timeout.InfiniteTimeSpan ? long.MaxValue : loop.DueTimestamp(delay));
        if (!current.WatchSleep(timer))
        {
            timer.ObserveCancellation(current.CancellationToken);
        }

        if (delay != Timeout.InfiniteTimeSpan)
        {
            loop.ScheduleTimer(timer);
        }

        current.NoteWaitingOn(timer);
        return timer.Task;
    }

    /// <summary>The sleep; <paramref name="current"/> is the current task, read once by the caller, which remembers the timer for its report.</summary>
    private static Task Sleep(TimeSpan delay, CancellationToken cancellationToken, AioTask? current)
    {
        AioLoop.ValidateDelay(delay, nameof(delay));
        AioLoop loop = AioLoop.TryGetCurrent(out AioLoop? running) ? running : current?.Loop ?? Loop;
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var timer = new SleepTimer(loop, delay == Timeout.InfiniteTimeSpan ? long.MaxValue : loop.DueTimestamp(delay));
        timer.ObserveCancellation(cancellationToken);
        if (delay != Timeout.InfiniteTimeSpan)
        {
            loop.ScheduleTimer(timer);
        }

        current?.NoteWaitingOn(timer);
        return timer.Task;
    }

    /// <summary>Creates a tracked task on the current loop (see <see cref="AioLoop.CreateTask(Func{CancellationToken, Task}, string?, string, int)"/>).</summary>
    /// <param name="work">The work; it receives the task's cancellation token.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public static AioTask CreateTask(
        Func<CancellationToken, Task> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0) => Loop.CreateTask(work, name, callerFilePath, callerLineNumber);

    /// <summary>Creates a tracked task on the current loop.</summary>
    /// <param name="work">The work.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public static AioTask CreateTask(
        Func<Task> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0) => Loop.CreateTask(work, name, callerFilePath, callerLineNumber);

    /// <summary>Creates a tracked task with a result on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work; it receives the task's cancellation token.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public static AioTask<T> CreateTask<T>(
        Func<CancellationToken, Task<T>> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0) => Loop.CreateTask(work, name, callerFilePath, callerLineNumber);

    /// <summary>Creates a tracked task with a result on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>The tracked task.</returns>
    public static AioTask<T> CreateTask<T>(
        Func<Task<T>> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0) => Loop.CreateTask(work, name, callerFilePath, callerLineNumber);

    /// <summary>
    /// Runs synchronous <paramref name="work"/> on the current loop's executor; the shutdown waits for it. Called from a
    /// task, the returned task is cancelled as soon as that task is (its await throws <see cref="OperationCanceledException"/>,
    /// as in asyncio); the work runs on.
    /// </summary>
    /// <param name="work">The work, run on a thread-pool thread.</param>
    /// <returns>A task that completes with the work, or is cancelled with the current task.</returns>
    public static Task RunInExecutor(Action work) => Loop.RunInExecutor(work);

    /// <summary>
    /// Runs synchronous <paramref name="work"/> on the current loop's executor; the shutdown waits for it. Called from a
    /// task, the returned task is cancelled as soon as that task is; the work runs on.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work, run on a thread-pool thread.</param>
    /// <returns>A task that completes with the work's result, or is cancelled with the current task.</returns>
    public static Task<T> RunInExecutor<T>(Func<T> work) => Loop.RunInExecutor(work);

    /// <summary>
    /// Runs <paramref name="work"/> as a protected task: the shutdown does not cancel it and waits for it.
    /// Awaiting the result gives the work's outcome; if the caller's task is cancelled (the shutdown),
    /// the await throws <see cref="OperationCanceledException"/> at once while the work goes on.
    /// Not awaiting it still protects the work (aiorun's bare <c>shutdown_waits_for</c>); if the work then fails
    /// after its caller is done or cancelled, the failure goes to the loop's exception handler (if it fails while the
    /// caller runs and the caller never awaits it, when the GC finds it unobserved).
    /// </summary>
    /// <param name="work">The work; its token is cancelled only if the protected task itself is cancelled.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>A task with the work's outcome, or cancelled with the caller.</returns>
    public static Task ShutdownWaitsFor(
        Func<CancellationToken, Task> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        AioTask? caller = AioTask.Current;
        AioLoop loop = Loop;
        AioTask shielded = loop.Schedule(new AioTask(loop, work, name, callerFilePath, callerLineNumber, isProtected: true));
        return shielded.ShieldFor(caller);
    }

    /// <summary>Runs <paramref name="work"/> as a protected task with a result (see <see cref="ShutdownWaitsFor(Func{CancellationToken, Task}, string?, string, int)"/>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>A task with the work's result, or cancelled with the caller.</returns>
    public static Task<T> ShutdownWaitsFor<T>(
        Func<CancellationToken, Task<T>> work,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        AioTask? caller = AioTask.Current;
        AioLoop loop = Loop;
        AioTask<T> shielded = loop.Schedule(new AioTask<T>(loop, work, name, callerFilePath, callerLineNumber, isProtected: true));
        return shielded.ShieldFor(caller);
    }

    /// <summary>
    /// Protects an already-started <paramref name="task"/>: the shutdown waits for it. The caller's await
    /// is cancelled at once if the caller's task is cancelled.
    /// </summary>
    /// <param name="task">The work, already running.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>A task with the work's outcome, or cancelled with the caller.</returns>
    public static Task ShutdownWaitsFor(
        Task task,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ShutdownWaitsFor(_ => task, name, callerFilePath, callerLineNumber);
    }

    /// <summary>Protects an already-started <paramref name="task"/> with a result (see <see cref="ShutdownWaitsFor(Task, string?, string, int)"/>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The work, already running.</param>
    /// <param name="name">A name for logs; default <c>Task-N</c>.</param>
    /// <param name="callerFilePath">Filled in by the compiler.</param>
    /// <param name="callerLineNumber">Filled in by the compiler.</param>
    /// <returns>A task with the work's result, or cancelled with the caller.</returns>
    public static Task<T> ShutdownWaitsFor<T>(
        Task<T> task,
        string? name = null,
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ShutdownWaitsFor(_ => task, name, callerFilePath, callerLineNumber);
    }

    /// <summary>Stops the current loop after the current turn, which starts the shutdown (asyncio's <c>loop.stop()</c>).</summary>
    public static void Stop() => Loop.Stop();

    /// <summary>
    /// Tells systemd that the program is ready (<c>READY=1</c>), before <c>Main</c> completes: for a <c>Main</c> that
    /// runs for ever, once it serves. Without this call the program is ready when <c>Main</c>'s task is done (a
    /// <c>void</c> entry: when the loop runs its first turn).
    /// </summary>
    /// <remarks>
    /// <c>READY=1</c> is sent once, whatever the number of calls, and never after the shutdown started. A no-op where
    /// <c>NOTIFY_SOCKET</c> is not set (the program does not run as a systemd service of <c>Type=notify</c>). Any thread.
    /// </remarks>
    public static void NotifyReady() => SystemdNotifier.Current?.NotifyReady();
}
