using System;
using System.Threading;
using AioRun.Options;

namespace AioRun;

/// <summary>The options of an AioRun program (the attribute's and the csproj's, after the generator merged them).</summary>
public sealed class AioRunOptions
{
    /// <summary>The default <see cref="ShutdownTimeout"/>: 60 seconds, as aiorun's <c>timeout_task_shutdown</c> (the options table's default).</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(EntryOptions.DefaultShutdownTimeoutSeconds);

    private readonly TimeSpan _shutdownTimeout = DefaultShutdownTimeout;
    private readonly int? _executorWorkers;

    /// <summary>Whether the first unhandled error stops the loop and, after the shutdown, makes the exit code 1. Default off.</summary>
    public bool StopOnUnhandledErrors { get; init; }

    /// <summary>
    /// How long the shutdown runs pending tasks before it names the ones that refused to exit and goes on.
    /// Default 60 s; zero or more, or <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ShutdownTimeout
    {
        get => _shutdownTimeout;
        init
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), value, $"ShutdownTimeout must be zero or more (or infinite); it was {value}.");
            }

            _shutdownTimeout = value;
        }
    }

    /// <summary>The most executor work items that run at once; <see langword="null"/> (the default) for no bound.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? ExecutorWorkers
    {
        get => _executorWorkers;
        init
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(ExecutorWorkers), value, $"ExecutorWorkers must be 1 or more (or null for no bound); it was {value}.");
            }

            _executorWorkers = value;
        }
    }

    /// <summary>
    /// Whether a second SIGINT or SIGTERM during the shutdown writes the task report and exits the process at once with
    /// 128 + the signal (130, 143). Default off: as in aiorun, later signals are ignored.
    /// </summary>
    public bool EscalateOnSecondSignal { get; init; }

    /// <summary>The default <see cref="LoopLagWarning"/>: 100 ms (the options table's default).</summary>
    public static readonly TimeSpan DefaultLoopLagWarning = TimeSpan.FromMilliseconds(EntryOptions.DefaultLoopLagWarningMilliseconds);

    private readonly TimeSpan _loopLagWarning = DefaultLoopLagWarning;

    /// <summary>
    /// How long one callback may hold the loop thread before a warning names it (while it still blocks, and when it
    /// ends). Default 100 ms; <see cref="TimeSpan.Zero"/> turns the watchdog off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan LoopLagWarning
    {
        get => _loopLagWarning;
        init
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(LoopLagWarning), value, $"LoopLagWarning must be zero (off) or more; it was {value}.");
            }

            _loopLagWarning = value;
        }
    }

    /// <summary>
    /// Whether <see cref="AioProgram"/> turns on .NET's inline socket completions: it sets
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> unless the environment already has the variable (an explicit
    /// <c>0</c> is kept). .NET's socket engine on Linux and macOS then runs completions on its own thread instead of the
    /// thread pool, and a continuation that captured the loop is posted straight to it: one hop instead of two.
    /// Default off, because the setting is process-wide: continuations that do not go to the loop
    /// (<c>ConfigureAwait(false)</c>, thread-pool code, libraries) run on the engine thread, where one that blocks stalls
    /// every socket of the process. .NET reads the variable once, when the first socket registers with the engine, so
    /// it only takes effect if no asynchronous socket operation ran before the <see cref="AioProgram"/> was created (the
    /// generated program creates it first); child processes inherit the variable. Not applied on Windows, where .NET
    /// reads the same variable to run every I/O completion of the thread pool inline.
    /// </summary>
    public bool InlineSocketCompletions { get; init; }

    /// <summary>A shutdown timeout from a number of seconds, validated (the attribute's and the csproj's form).</summary>
    /// <param name="seconds">Zero or more; <see cref="double.PositiveInfinity"/> for no timeout.</param>
    /// <returns>The timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative or NaN.</exception>
    public static TimeSpan ShutdownTimeoutFromSeconds(double seconds) => AioLoop.SecondsToDelay(seconds, nameof(ShutdownTimeout));
}
