using System;
using AioRun.Options;

namespace AioRun;

/// <summary>
/// Marks <c>static async Task Main</c> (or another accepted shape) as an AioRun entry point: the AioRun
/// generator emits the program that runs it on an <see cref="AioLoop"/>, handles SIGINT and SIGTERM,
/// and shuts down in order. Options set here win over the csproj's <c>AioRun*</c> properties.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AioRunEntryAttribute : Attribute
{
    /// <summary>The first unhandled error stops the loop; after the shutdown it is printed and the exit code is 1. Default <see langword="false"/>; csproj <c>AioRunStopOnUnhandled</c>.</summary>
    public bool StopOnUnhandledErrors { get; set; }

    /// <summary>Seconds the shutdown waits for pending tasks. Default <see cref="AioRunOptions.DefaultShutdownTimeout"/>; csproj <c>AioRunShutdownTimeout</c>.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = EntryOptions.DefaultShutdownTimeoutSeconds;

    /// <summary>The most executor work items at once; 0 (the default) for no bound. csproj <c>AioRunExecutorWorkers</c>.</summary>
    public int ExecutorWorkers { get; set; }

    /// <summary>
    /// A second SIGINT or SIGTERM during the shutdown writes the task report and exits at once with 128 + the signal.
    /// Default <see langword="false"/> (later signals are ignored, as in aiorun); csproj <c>AioRunEscalateOnSecondSignal</c>.
    /// </summary>
    public bool EscalateOnSecondSignal { get; set; }

    /// <summary>
    /// Milliseconds one callback may hold the loop thread before a warning names it; 0 turns the watchdog off. Default
    /// <see cref="AioRunOptions.DefaultLoopLagWarning"/>; csproj <c>AioRunLoopLagWarning</c>.
    /// </summary>
    public int LoopLagWarningMilliseconds { get; set; } = EntryOptions.DefaultLoopLagWarningMilliseconds;

    /// <summary>
    /// .NET's socket engine (Linux, macOS) runs socket completions on its own thread, which posts the continuation
    /// straight to the loop: one hop instead of two. Process-wide and inherited by child processes; a continuation that
    /// does not go to the loop (<c>ConfigureAwait(false)</c>) then runs on the engine thread, where blocking stalls every
    /// socket. See <see cref="AioRunOptions.InlineSocketCompletions"/>. Default <see langword="false"/>; csproj
    /// <c>AioRunInlineSocketCompletions</c>.
    /// </summary>
    public bool InlineSocketCompletions { get; set; }

    /// <summary>
    /// The name of a static method of the same type run after the loop stops and before tasks are cancelled:
    /// returns <c>void</c>, <c>Task</c> or <c>ValueTask</c>, optionally takes the <see cref="AioLoop"/>.
    /// </summary>
    public string? ShutdownCallback { get; set; }

    /// <summary>The name of a static method <c>void Name(AioLoop loop)</c> of the same type that replaces the reaction to the first signal (default: log <c>Stopping the loop</c> and stop the loop).</summary>
    public string? ShutdownHandler { get; set; }

    /// <summary>The loop type: a concrete <see cref="AioLoop"/> subclass with a public parameterless constructor.</summary>
    public Type? LoopType { get; set; }
}
