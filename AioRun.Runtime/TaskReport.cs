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
        var time = new ReportTime(loop);
        AioTask? current = AioTask.Current;
        Array.Sort(tasks, static (a, b) => a.Id.CompareTo(b.Id));

        writer.WriteLine(Header(tasks.Length, work.Length));
        foreach (AioTask task in tasks)
        {
            writer.WriteLine("  task " + Describe(task, time, current));
        }

        foreach (InFlightWork item in work)
        {
            writer.WriteLine("  " + Describe(item, time));
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
    /// <param name="time">When the report is taken.</param>
    /// <param name="current">The task whose code writes the report, if any.</param>
    public static string Describe(AioTask task, in ReportTime time, AioTask? current)
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
        string details = $"'{task.Name}' ({state}, age {time.Age(task.CreatedAt)}{(task.IsProtected ? ", protected" : string.Empty)}) created at {task.CreationSite}";

        // Only a task that is suspended waits on something; a running one may have created an awaitable it has not awaited yet.
        string? waitingOn = task.IsStarted && !running ? task.WaitingOn?.DescribeWait(time) : null;
        return waitingOn is null ? details : details + "; " + waitingOn;
    }

    /// <summary>An executor work item: <c>executor work (running, age 4.2 s) submitted by task 'name'</c>.</summary>
    public static string Describe(InFlightWork work, in ReportTime time) =>
        $"executor work ({(work.Started ? "running" : "queued")}, age {time.Age(work.SubmittedAt)})"
        + (work.Caller is { } caller ? $" submitted by task '{caller.Name}'" : string.Empty);

    private static string Count(int n, string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
}

/// <summary>
/// The moment a task report is taken, on the loop's two clocks: its <see cref="AioLoop.TimeProvider"/> for due times,
/// and the age clock (<see cref="AioLoop.AgeTimestamp"/>) for how old tasks and executor work are.
/// </summary>
internal readonly struct ReportTime
{
    private readonly AioLoop _loop;

    public ReportTime(AioLoop loop)
    {
        _loop = loop;
        Now = loop.TimeProvider.GetTimestamp();
        AgeNow = loop.AgeTimestamp();
    }

    /// <summary>The loop clock's timestamp.</summary>
    public long Now { get; }

    /// <summary>The age clock's timestamp.</summary>
    public long AgeNow { get; }

    /// <summary>How old something the age clock stamped <paramref name="since"/> is, e.g. <c>12.3 s</c>.</summary>
    public string Age(long since) => Seconds((AgeNow - since) / (double)_loop.AgeFrequency);

    /// <summary>A span of the loop's clock (timestamp ticks), e.g. <c>4.2 s</c>.</summary>
    public string Span(long ticks) => Seconds(ticks / (double)_loop.TimeProvider.TimestampFrequency);

    private static string Seconds(double seconds) => Math.Max(0, seconds).ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
