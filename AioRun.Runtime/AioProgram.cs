using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>
/// The phases of an AioRun program, as small calls that the generated <c>Main</c> lines up (a
/// hand-written one may do the same):
/// <code>
/// using var program = new AioProgram(options);          // 1.
/// program.RegisterSignalHandlers();                     //    owns SIGINT/SIGTERM from here on
/// var loop = program.UseLoop(new AioLoop());            // 2. the loop, with the options applied
/// var main = loop.CreateTask(MainAsync, "main");        //    or, for a void entry: program.RunBeforeLoop(Setup);
/// program.NotifyReadyWhenDone(main);                    //    systemd's READY=1 (a void entry: at the first turn)
/// loop.RunForever();
/// program.EnterShutdownPhase();                         // 3. "Entering shutdown phase."
/// program.RunShutdownCallback(OnShutdown);              //    (if any)
/// program.RunShutdownParticipants();                    //    libraries' part (AioLoop.AddShutdownParticipant)
/// program.CancelPendingTasks();                         // 4. "Cancelling pending tasks."
/// program.RunPendingTasksTillComplete();                // 5. at most ShutdownTimeout
/// program.WaitForExecutorShutdown();                    // 6.
/// program.Close();                                      // 7. AioLoop.Closing, "Leaving. Bye!", AioLoop.Closed
/// return program.ExitCode(main);                        // 8.
/// </code>
/// </summary>
/// <remarks>
/// Where <c>NOTIFY_SOCKET</c> is set (a systemd service), the program also tells systemd where it is: <c>READY=1</c>,
/// <c>STOPPING=1</c> at the first signal (at the latest in <see cref="EnterShutdownPhase"/>), <c>STATUS=</c> each
/// phase's line, and <c>WATCHDOG=1</c> from the loop thread where <c>WATCHDOG_USEC</c> asks for it.
/// </remarks>
public sealed class AioProgram : IDisposable
{
    // What a signal does, in one field: signals arrive on another thread, hence Interlocked.
    private const int SignalsListening = 0; // the next signal is the first: it runs the shutdown handler
    private const int FirstSignalTaken = 1; // later signals are swallowed
    private const int ShuttingDown = 2;     // EnterShutdownPhase ran: every signal is swallowed, a queued shutdown handler does not run
    private const int Escalated = 3;        // EscalateOnSecondSignal: a signal during the shutdown is ending the process

    private readonly object _gate = new();
    private SignalWatcher? _signals;
    private int _signalState = SignalsListening;
    private AioLoop? _loop;
    private Action<AioLoop> _shutdownHandler = DefaultShutdownHandler;
    private bool _defaultHandler = true; // ShutdownHandler was never set: the first signal's line can be written at once
    private bool _signalBeforeLoop; // the first signal came before UseLoop, which delivers it
    private Exception? _shutdownCallbackError;
    private readonly SystemdNotifier? _systemd; // null unless NOTIFY_SOCKET is set

    /// <summary>Phase 1: a program with its options. It owns no signal until <see cref="RegisterSignalHandlers"/>.</summary>
    /// <param name="options">The program's options; the defaults when <see langword="null"/>.</param>
    public AioProgram(AioRunOptions? options = null)
    {
        Options = options ?? new AioRunOptions();

        // Before anything of the program opens a socket (the systemd notifier does, below): .NET reads the variable once.
        if (Options.InlineSocketCompletions)
        {
            EnableInlineSocketCompletions();
        }

        _systemd = SystemdNotifier.FromEnvironment();
    }

    /// <summary>The environment variable .NET's socket engine reads to run its completions inline (only <c>1</c> turns it on).</summary>
    public const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The program's options.</summary>
    public AioRunOptions Options { get; }

    /// <summary>
    /// <see cref="AioRunOptions.InlineSocketCompletions"/>: sets the variable for .NET's socket engine, which reads it in
    /// a static initializer when the first socket registers, unless the user set it (their value, <c>0</c> too, wins).
    /// On Windows the same variable makes the thread pool's I/O pollers run every I/O completion inline, which is not
    /// what the option promises, so there it is left alone.
    /// </summary>
    private static void EnableInlineSocketCompletions()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(InlineSocketCompletionsVariable) is not null)
        {
            return;
        }

        Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");
    }

    /// <summary>The loop given to <see cref="UseLoop"/>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="UseLoop"/> was not called yet.</exception>
    public AioLoop Loop => _loop ?? throw new InvalidOperationException("AioProgram.UseLoop must be called before the loop is used.");

    /// <summary>
    /// Replaces the reaction to the first signal (default: <see cref="DefaultShutdownHandler"/>). It runs on the loop thread.
    /// </summary>
    public Action<AioLoop> ShutdownHandler
    {
        get => _shutdownHandler;
        set
        {
            _shutdownHandler = value ?? throw new ArgumentNullException(nameof(value));
            _defaultHandler = false;
        }
    }

    /// <summary>The default reaction to the first signal: log <c>Stopping the loop</c> and stop the loop.</summary>
    /// <param name="loop">The program's loop.</param>
    public static void DefaultShutdownHandler(AioLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        Log.StoppingTheLoop(loop.Logger);
        loop.Stop();
    }

    /// <summary>
    /// Phase 1: takes SIGINT and SIGTERM over (Ctrl-C and Ctrl-Break on Windows) until <see cref="Dispose"/>; none of
    /// them terminates the process any more. The first runs <see cref="ShutdownHandler"/> on the loop (once
    /// <see cref="UseLoop"/> gave one, if it comes earlier); later ones, and every one once
    /// <see cref="EnterShutdownPhase"/> ran, are swallowed, unless <see cref="AioRunOptions.EscalateOnSecondSignal"/> is
    /// on: then such a signal writes the task report to standard error, logs
    /// <c>Second signal during the shutdown (SIGTERM); exiting now.</c> and exits the process at once with 128 + the
    /// signal (130 for SIGINT, 143 for SIGTERM). On Unix it also takes SIGUSR1 over: each one writes the task report
    /// (<see cref="AioLoop.WriteTaskReport"/>) to standard error, and the program goes on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The program already owns its signals.</exception>
    public void RegisterSignalHandlers()
    {
        if (_signals is not null)
        {
            throw new InvalidOperationException("AioProgram.RegisterSignalHandlers was already called; a program takes the signals over once.");
        }

        _signals = new SignalWatcher(OnSignal);
    }

    /// <summary>
    /// Phase 2: the program runs on <paramref name="loop"/>; applies <see cref="AioRunOptions.ExecutorWorkers"/>,
    /// <see cref="AioRunOptions.StopOnUnhandledErrors"/> and <see cref="AioRunOptions.LoopLagWarning"/> (which starts the
    /// loop-lag watchdog, unless it is zero). A signal that arrived earlier is delivered now.
    /// </summary>
    /// <typeparam name="TLoop">The loop type.</typeparam>
    /// <param name="loop">A new loop.</param>
    /// <returns>The same loop.</returns>
    /// <exception cref="InvalidOperationException">
    /// A loop was already given, or StopOnUnhandledErrors meets a custom exception handler (aiorun's refusal).
    /// </exception>
    public TLoop UseLoop<TLoop>(TLoop loop)
        where TLoop : AioLoop
    {
        ArgumentNullException.ThrowIfNull(loop);
        if (_loop is not null)
        {
            throw new InvalidOperationException("AioProgram.UseLoop was already called; a program runs one loop.");
        }

        if (Options.ExecutorWorkers is int workers)
        {
            loop.ExecutorWorkers = workers;
        }

        if (Options.StopOnUnhandledErrors)
        {
            loop.EnableStopOnUnhandledErrors();
        }

        loop.LoopLagWarning = Options.LoopLagWarning;

        bool deliver;
        lock (_gate)
        {
            _loop = loop;
            deliver = _signalBeforeLoop;
        }

        if (deliver)
        {
            loop.CallSoonThreadsafe(RunShutdownHandler);
        }

        _systemd?.UseLoop(loop);
        return loop;
    }

    /// <summary>
    /// Phase 2: the program is ready when <paramref name="main"/> (the main task) is done: under systemd (where
    /// <c>NOTIFY_SOCKET</c> is set), <c>READY=1</c> is sent then, unless <see cref="Aio.NotifyReady"/> sent it earlier.
    /// Without this call, <c>READY=1</c> is sent in the loop's first turn. Call it before the loop runs.
    /// </summary>
    /// <param name="main">The main task.</param>
    public void NotifyReadyWhenDone(AioTask main)
    {
        ArgumentNullException.ThrowIfNull(main);
        _systemd?.ReadyWhenDone(main);
    }

    /// <summary>
    /// Phase 2 of a <c>void</c> entry, aiorun's <c>run(loop=loop)</c>: <paramref name="entry"/> runs as code on the loop
    /// before its first turn, so <see cref="AioLoop.Current"/>, <c>Aio.*</c> and <c>loop.CreateTask</c> work; the
    /// callbacks it schedules run once the loop runs. A <see cref="AioLoop.Stop"/> in it makes
    /// <see cref="AioLoop.RunForever"/> run one turn and return.
    /// </summary>
    /// <param name="entry">The entry; it receives the program's loop. Its exception propagates.</param>
    /// <exception cref="InvalidOperationException">
    /// <see cref="UseLoop"/> was not called yet, or the loop is closed or running, or another loop runs on this thread.
    /// </exception>
    public void RunBeforeLoop(Action<AioLoop> entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Loop.RunBeforeFirstTurn(entry);
    }

    /// <summary>Phase 3: the loop stopped; from now on signals are swallowed. Logs <c>Entering shutdown phase.</c></summary>
    public void EnterShutdownPhase()
    {
        Interlocked.Exchange(ref _signalState, ShuttingDown);
        Log.EnteringShutdownPhase(Loop.Logger);
        _systemd?.NotifyPhase("Entering shutdown phase.");
    }

    /// <summary>Phase 3: runs a synchronous shutdown callback on the loop. Its exception is reported after the shutdown (exit code 1).</summary>
    /// <param name="callback">The callback.</param>
    public void RunShutdownCallback(Action<AioLoop> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        RunShutdownCallback(loop =>
        {
            callback(loop);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Phase 3: runs an asynchronous shutdown callback on the loop until it completes (it is protected from the
    /// cancel phase). Its exception is reported after the shutdown (exit code 1), unless an unhandled error
    /// already stopped the loop; then it is only logged.
    /// </summary>
    /// <param name="callback">The callback.</param>
    public void RunShutdownCallback(Func<AioLoop, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AioLoop loop = Loop;
        RunPhase3Work(_ => callback(loop), "shutdown_callback", static (logger, _, error) => Log.ShutdownCallbackErrorIgnored(logger, error));
    }

    /// <summary>
    /// Phase 3, after the shutdown callback: runs the work that libraries added with
    /// <see cref="AioLoop.AddShutdownParticipant"/> (AioRun.Hosting stops its host here), each as a protected task, in the
    /// order added, running the loop until it is done. A failure follows the shutdown callback's rule: reported after the
    /// shutdown (exit code 1), unless an unhandled error already stopped the loop; then it is only logged.
    /// </summary>
    public void RunShutdownParticipants()
    {
        while (Loop.TakeShutdownParticipant() is { } participant)
        {
            RunPhase3Work(participant.Work, participant.Name, Log.ShutdownParticipantErrorIgnored);
        }
    }

    /// <summary>
    /// Phase 3's one rule for the shutdown callback and the participants: <paramref name="work"/> runs as a protected task
    /// until it is done; its failure is reported after the shutdown (exit code 1), or only logged (through
    /// <paramref name="logIgnored"/>) when an unhandled error already stopped the loop.
    /// </summary>
    private void RunPhase3Work(Func<CancellationToken, Task> work, string name, Action<ILogger, string, Exception> logIgnored)
    {
        AioLoop loop = Loop;
        Task outcome = loop.RunUntilDone(work, name);
        if (!outcome.IsFaulted)
        {
            return;
        }

        Exception error = outcome.Exception!.InnerException ?? outcome.Exception;
        if (loop.UnhandledError is not null)
        {
            logIgnored(loop.Logger, name, error);
        }
        else
        {
            _shutdownCallbackError ??= error;
        }
    }

    /// <summary>
    /// Phase 4: cancels every tracked task that is not protected. Logs <c>Cancelling pending tasks. (n tasks)</c>, and
    /// <c>Cancelling task: name</c> for each at Debug. Tasks created from now on start cancelled, unless protected.
    /// </summary>
    public void CancelPendingTasks()
    {
        AioLoop loop = Loop;
        Log.CancellingPendingTasks(loop.Logger, loop.CountTasksToCancel());
        _systemd?.NotifyPhase("Cancelling pending tasks.");
        loop.CancelPendingTasks();
    }

    /// <summary>
    /// Phase 5: runs the loop until every tracked task (protected ones included) is done, at most
    /// <see cref="AioRunOptions.ShutdownTimeout"/> on the loop's clock; then logs each task that refused to
    /// exit, with the details of its task report line (name, state, age, creation site, what it waits on).
    /// </summary>
    /// <returns>Whether every task finished in time.</returns>
    public bool RunPendingTasksTillComplete()
    {
        AioLoop loop = Loop;
        Log.RunningPendingTasks(loop.Logger);
        _systemd?.NotifyPhase("Running pending tasks till complete");
        if (loop.RunUntilTasksDone(Options.ShutdownTimeout))
        {
            return true;
        }

        double seconds = Options.ShutdownTimeout.TotalSeconds;
        var time = new ReportTime(loop);
        foreach (AioTask task in loop.AllTasks())
        {
            Log.TaskRefusedToExit(loop.Logger, seconds, TaskReport.Describe(task, time, current: null));
        }

        return false;
    }

    /// <summary>Phase 6: runs the loop until all executor work has finished. Logs <c>Waiting for executor shutdown.</c></summary>
    public void WaitForExecutorShutdown()
    {
        AioLoop loop = Loop;
        Log.WaitingForExecutor(loop.Logger);
        _systemd?.NotifyPhase("Waiting for executor shutdown.");
        loop.RunUntilExecutorIdle();
    }

    /// <summary>
    /// Phase 7: closes the loop and logs <c>Leaving. Bye!</c>: the loop's <see cref="AioLoop.Closing"/> handlers run first,
    /// its <see cref="AioLoop.Closed"/> handlers after that line.
    /// </summary>
    public void Close()
    {
        AioLoop loop = Loop;
        loop.CloseWith(lastWords: () =>
        {
            Log.LeavingBye(loop.Logger);
            _systemd?.NotifyPhase("Leaving. Bye!");
        });
    }

    /// <summary>
    /// Phase 8: the exit code. 1, with the error and its stack trace on standard error, if an unhandled error
    /// stopped the loop (StopOnUnhandledErrors) or the shutdown callback or a shutdown participant failed; otherwise the
    /// <see cref="int"/> that <paramref name="main"/> returned, if it completed; otherwise 0.
    /// </summary>
    /// <param name="main">The main task, if the entry has one.</param>
    /// <returns>The process exit code.</returns>
    public int ExitCode(AioTask? main = null)
    {
        Exception? error = _loop?.UnhandledError ?? _shutdownCallbackError;
        if (error is not null)
        {
            return ReportFatal(error);
        }

        return main is AioTask<int> { IsCompletedSuccessfully: true } withCode ? withCode.Result : 0;
    }

    /// <summary>Writes <c>Unhandled exception.</c> and <paramref name="error"/> with its stack trace to standard error.</summary>
    /// <param name="error">The error that ends the program.</param>
    /// <returns>1, the exit code for it.</returns>
    public static int ReportFatal(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        System.IO.TextWriter output = AioLogging.Output;
        try
        {
            lock (output)
            {
                output.WriteLine("Unhandled exception. " + error);
                output.Flush();
            }
        }
        catch (Exception ex) when (ex is System.IO.IOException or ObjectDisposedException)
        {
            // An unwritable standard error: the exit code still says it.
        }

        return 1;
    }

    /// <summary>
    /// Releases the signals taken by <see cref="RegisterSignalHandlers"/> (from now on they have their default effect
    /// again) and, under systemd, the notify socket.
    /// </summary>
    public void Dispose()
    {
        _signals?.Dispose();
        _systemd?.Dispose();
    }

    private void OnSignal(PosixSignal signal)
    {
        if (signal == SignalWatcher.ReportSignal)
        {
            AioLoop? current = Volatile.Read(ref _loop);
            if (current is null)
            {
                TaskReport.WriteToStandardError(null);
            }
            else
            {
                current.WriteTaskReportOnRequest();
            }

            return;
        }

        int state = Interlocked.CompareExchange(ref _signalState, FirstSignalTaken, SignalsListening);
        if (state != SignalsListening)
        {
            // A later signal, or any signal once the shutdown began: swallowed, unless it escalates (once).
            while (Options.EscalateOnSecondSignal && state is FirstSignalTaken or ShuttingDown)
            {
                int seen = Interlocked.CompareExchange(ref _signalState, Escalated, state);
                if (seen == state)
                {
                    ExitOnSecondSignal(signal);
                    return;
                }

                state = seen;
            }

            return;
        }

        _systemd?.NotifyStopping();

        AioLoop? loop;
        lock (_gate)
        {
            loop = _loop;
            if (loop is null)
            {
                _signalBeforeLoop = true;
                return;
            }
        }

        if (_defaultHandler && loop.Logger is AioLogging.StderrLogger)
        {
            // The default handler with the default logger: its line goes out from the signal's thread at once, instead
            // of after whatever the loop is doing and a wake-up; the loop stops in its next turn, as the handler would.
            Log.StoppingTheLoop(loop.Logger);
            loop.CallSoonThreadsafe(StopAfterSignal);
            return;
        }

        loop.CallSoonThreadsafe(RunShutdownHandler);
    }

    /// <summary>The rest of the default handler after <see cref="OnSignal"/> wrote its line: stop the loop.</summary>
    private void StopAfterSignal()
    {
        if (Volatile.Read(ref _signalState) != ShuttingDown)
        {
            Loop.Stop();
        }
    }

    /// <summary>
    /// EscalateOnSecondSignal: the task report, the line, and the process ends with 128 + the signal, from the signal's
    /// thread, whatever the loop is doing (a task that ignores its cancellation, a hung executor job).
    /// </summary>
    private void ExitOnSecondSignal(PosixSignal signal)
    {
        (string name, int number) = signal switch
        {
            PosixSignal.SIGINT => ("SIGINT", 2),
            PosixSignal.SIGQUIT => ("SIGQUIT", 3),
            _ => ("SIGTERM", 15),
        };
        AioLoop? loop = Volatile.Read(ref _loop);
        TaskReport.WriteToStandardError(loop);
        try
        {
            Log.SecondSignalExiting(loop?.Logger ?? AioLogging.DefaultLogger, name);
        }
        catch (Exception)
        {
            // A logger that throws must not keep the process from exiting.
        }

        Environment.Exit(128 + number);
    }

    private void RunShutdownHandler()
    {
        if (Volatile.Read(ref _signalState) == ShuttingDown)
        {
            // Queued by the first signal, but the shutdown began before it ran.
            return;
        }

        AioLoop loop = Loop;
        try
        {
            _shutdownHandler(loop);
        }
        catch (Exception ex)
        {
            loop.CallExceptionHandler(new AioExceptionContext("The shutdown handler threw", ex));
        }
    }
}
