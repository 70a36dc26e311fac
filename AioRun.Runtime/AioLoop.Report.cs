using System;
using System.IO;

namespace AioRun;

/// <summary>AioLoop: the task report.</summary>
public partial class AioLoop
{
    /// <summary>
    /// Writes the task report to <paramref name="writer"/>: a header line
    /// <c>Task report: n tracked tasks, m executor work items</c>; a line per tracked task that is not done, oldest
    /// first, with its name, its state (<c>pending</c>: not started; <c>running</c>: the report is written by its own
    /// code; <c>waiting</c>; <c>cancel requested</c>), its age, <c>protected</c> under <c>Aio.ShutdownWaitsFor</c>, its
    /// creation site (<c>file:line</c>) and, where AioRun knows it, what it waits on (an <c>Aio.Sleep</c> and its due
    /// time, protected work, executor work); then a line per executor work item in flight with its age. Ages are on
    /// the loop's clock (<see cref="TimeProvider"/>).
    /// </summary>
    /// <remarks>
    /// Any thread. From a thread other than the loop's while the loop runs, it reads a snapshot that may miss a task
    /// created or finished meanwhile; it never throws for that. Exceptions of <paramref name="writer"/> propagate.
    /// </remarks>
    /// <param name="writer">Where the lines go (e.g. <see cref="Console.Error"/>).</param>
    public void WriteTaskReport(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TaskReport.Write(this, writer);
    }

    /// <summary>The live tracked tasks: exact on the thread that owns the loop, a defensive snapshot elsewhere.</summary>
    internal AioTask[] SnapshotTasksForReport() => IsOwnedByCurrentThread ? _tasks.Snapshot() : _tasks.SnapshotFromAnotherThread();

    /// <summary>The executor work items in flight, oldest first.</summary>
    internal InFlightWork[] SnapshotExecutorWork() => _executor.SnapshotInFlight();
}
