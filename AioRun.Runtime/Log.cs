using System;
using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>Every line the runtime logs: the lifecycle lines are aiorun's own texts.</summary>
/// <remarks>
/// The lifecycle lines go straight to the default logger when it is the loop's logger (the usual program): a program
/// that logs only those lines then never defines the structured messages (LoggerMessage.Define parses every template
/// when the class is first used, and each generic instantiation costs the JIT), which is most of the time to the
/// first line after a signal and a good part of a small program's start. Any other logger gets the structured messages.
/// </remarks>
internal static partial class Log
{
    public static void StoppingTheLoop(ILogger logger)
    {
        if (!WrotePlain(logger, "Stopping the loop"))
        {
            Structured.StoppingTheLoop(logger);
        }
    }

    public static void EnteringShutdownPhase(ILogger logger)
    {
        if (!WrotePlain(logger, "Entering shutdown phase."))
        {
            Structured.EnteringShutdownPhase(logger);
        }
    }

    /// <summary>aiorun's phase line, with how many tasks it cancels on the same line (the per-task lines are Debug).</summary>
    public static void CancellingPendingTasks(ILogger logger, int count)
    {
        string tasks = count == 1 ? "task" : "tasks";
        if (logger is AioLogging.StderrLogger plain)
        {
            // The text the structured message formats (an int in the invariant culture).
            if (plain.IsEnabled(LogLevel.Information))
            {
                plain.Write(LogLevel.Information, "Cancelling pending tasks. (" + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + tasks + ")");
            }
        }
        else
        {
            Structured.CancellingPendingTasks(logger, count, tasks);
        }
    }

    public static void RunningPendingTasks(ILogger logger)
    {
        if (!WrotePlain(logger, "Running pending tasks till complete"))
        {
            Structured.RunningPendingTasks(logger);
        }
    }

    public static void WaitingForExecutor(ILogger logger)
    {
        if (!WrotePlain(logger, "Waiting for executor shutdown."))
        {
            Structured.WaitingForExecutor(logger);
        }
    }

    public static void LeavingBye(ILogger logger)
    {
        if (!WrotePlain(logger, "Leaving. Bye!"))
        {
            Structured.LeavingBye(logger);
        }
    }

    /// <summary>Writes an Information lifecycle line if <paramref name="logger"/> is the default one; false for any other logger.</summary>
    private static bool WrotePlain(ILogger logger, string text)
    {
        if (logger is not AioLogging.StderrLogger plain)
        {
            return false;
        }

        plain.Write(LogLevel.Information, text);
        return true;
    }

    /// <summary>The lifecycle lines as structured messages, for any logger other than the default one.</summary>
    private static partial class Structured
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Stopping the loop")]
        public static partial void StoppingTheLoop(ILogger logger);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Entering shutdown phase.")]
        public static partial void EnteringShutdownPhase(ILogger logger);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Cancelling pending tasks. ({TaskCount} {Tasks})")]
        public static partial void CancellingPendingTasks(ILogger logger, int taskCount, string tasks);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Running pending tasks till complete")]
        public static partial void RunningPendingTasks(ILogger logger);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Waiting for executor shutdown.")]
        public static partial void WaitingForExecutor(ILogger logger);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Leaving. Bye!")]
        public static partial void LeavingBye(ILogger logger);
    }

    // Debug, as in aiorun: a shutdown of 100,000 tasks must not print 100,000 lines by default.
    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Cancelling task: {TaskName}")]
    public static partial void CancellingTask(ILogger logger, string taskName);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Unhandled exception; stopping loop.")]
    public static partial void StoppingOnUnhandled(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "{Description}")]
    public static partial void UnhandledError(ILogger logger, string description, Exception? exception);

    /// <summary>The task's details are its task report line's (<see cref="TaskReport.Describe(AioTask, in ReportTime, AioTask?)"/>).</summary>
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Task refused to exit within the shutdown timeout of {TimeoutSeconds} s: {Task}")]
    public static partial void TaskRefusedToExit(ILogger logger, double timeoutSeconds, string task);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "Work was posted to a closed AioLoop and dropped (work not tracked by the loop); later drops are only counted in AioLoop.DroppedWorkCount.")]
    public static partial void WorkDroppedAfterClose(ILogger logger);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The AioLoop was closed with {Count} callbacks still queued; they will not run.")]
    public static partial void ClosedWithQueuedWork(ILogger logger, int count);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error,
        Message = "The shutdown callback raised an error, but an unhandled error already stopped the loop, so this log message is all you'll see about it.")]
    public static partial void ShutdownCallbackErrorIgnored(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error,
        Message = "The shutdown participant '{Name}' raised an error, but an unhandled error already stopped the loop, so this log message is all you'll see about it.")]
    public static partial void ShutdownParticipantErrorIgnored(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning,
        Message = "The loop did not take the task report within {Milliseconds} ms (is a callback blocking it?); written from another thread.")]
    public static partial void ReportWrittenFromAnotherThread(ILogger logger, int milliseconds);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Second signal during the shutdown ({Signal}); exiting now.")]
    public static partial void SecondSignalExiting(ILogger logger, string signal);
}
