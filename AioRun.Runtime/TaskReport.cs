using System;
using System.Globalization;
using System.IO;

namespace AioRun;

/// <summary>
/// The lines of the task report (<see cref="AioLoop.WriteTaskReport"/>), made here only: the warning about a task that
/// refused to exit within the shutdown timeout gives the same details as that task's report line.
/// </summary>
internal static class TaskReport
{
    /// <summary>The header, then a line per live tracked task (oldest first), then a line per executor work item in flight.</summary>
    public static void Write(AioLoop loop, TextWriter writer)
    {
        AioTask[] tasks = loop.SnapshotTasksForReport();
        InFlightWork[] work = loop.SnapshotExecutorWork();
        long now = loop.TimeProvider.GetTimestamp();
        AioTask? current = AioTask.Current;
        Array.Sort(tasks, static (a, b) => a.Id.CompareTo(b.Id));

        writer.WriteLine(Header(tasks.Length, work.Length));
        foreach (AioTask task in tasks)
        {
            writer.WriteLine("  task " + Describe(task, now, current));
        }

        foreach (InFlightWork item in work)
        {
            writer.WriteLine("  " + Describe(loop, item, now));
        }
    }

    /// <summary>
    /// Writes the report of <paramref name="loop"/> (an empty one before there is a loop) to standard error
    /// (<see cref="AioLogging.Output"/>) in one piece. Never throws.
    /// </summary>
    public static void WriteToStandardError(AioLoop? loop)
    {
        TextWriter output = AioLogging.Output;
        try
        {
            lock (output)
            {
                if (loop is null)
                {
                    output.WriteLine(Header(0, 0));
                }
                else
                {
                    Write(loop, output);
                }

                output.Flush();
            }
        }
        catch (Exception)
        {
            // It runs on a signal's thread, where an exception would end the process, and an unwritable standard
            // error (a closed pipe, a full disk) must not stop the program: the report is lost, nothing else.
        }
    }

    /// <summary><c>Task report: n tracked tasks, m executor work items</c>.</summary>
    public static string Header(int tasks, int work) =>
        $"Task report: {Count(tasks, "tracked task", "tracked tasks")}, {Count(work, "executor work item", "executor work items")}";

    /// <summary>
    /// A task's details: <c>'name' (state, age 12.3 s, protected) created at file:line; waiting on ...</c>. The state is
    /// <c>pending</c> (not started), <c>running</c> (<paramref name="current"/>: the report is written by its own code),
    /// <c>waiting</c>, or <c>cancel requested</c>; what it waits on is said where AioRun knows it.
    /// </summary>
    /// <param name="task">A tracked task.</param>
    /// <param name="now">The loop clock's timestamp of the report.</param>
    /// <param name="current">The task whose code writes the report, if any.</param>
    public static string Describe(AioTask task, long now, AioTask? current)
    {
        bool running = ReferenceEquals(task, current);
        string state = (task.IsDone, task.IsStarted, running, task.IsCancellationRequested) switch
        {
            (true, _, _, _) => "done",
            (_, _, true, true) => "running, cancel requested",
            (_, _, true, false) => "running",
            (_, _, _, true) => "cancel requested",
            (_, true, _, _) => "waiting",
            _ => "pending",
        };
        string details = $"'{task.Name}' ({state}, age {Seconds(task.Loop, now - task.CreatedAt)}{(task.IsProtected ? ", protected" : string.Empty)}) created at {task.CreationSite}";

        // Only a task that is suspended waits on something; a running one may have created an awaitable it has not awaited yet.
        string? waitingOn = task.IsStarted && !running ? task.WaitingOn?.DescribeWait(now) : null;
        return waitingOn is null ? details : details + "; " + waitingOn;
    }

    /// <summary>An executor work item: <c>executor work (running, age 4.2 s) submitted by task 'name'</c>.</summary>
    public static string Describe(AioLoop loop, InFlightWork work, long now) =>
        $"executor work ({(work.Started ? "running" : "queued")}, age {Seconds(loop, now - work.SubmittedAt)})"
        + (work.Caller is { } caller ? $" submitted by task '{caller.Name}'" : string.Empty);

    /// <summary>A span of the loop's clock as seconds with one decimal, e.g. <c>12.3 s</c>.</summary>
    public static string Seconds(AioLoop loop, long timestampTicks) =>
        (Math.Max(0, timestampTicks) / (double)loop.TimeProvider.TimestampFrequency).ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Count(int n, string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
}
