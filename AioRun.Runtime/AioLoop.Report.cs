using System;
using System.IO;
using System.Threading;

namespace AioRun;

/// <summary>AioLoop: the task report, on demand (SIGUSR1 on Unix) and in code.</summary>
public partial class AioLoop
{
    /// <summary>How long a report asked of a running loop may wait for the loop before another thread writes it.</summary>
    internal static readonly TimeSpan ReportRequestPatience = TimeSpan.FromSeconds(1);

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

    /// <summary>
    /// The clock of the task report's ages, read once per task and per executor work item: with the system clock,
    /// <see cref="Environment.TickCount64"/> (milliseconds, plenty for ages shown in tenths of a second), which costs a
    /// fraction of a precise timestamp; with another clock, its timestamp (virtual time in tests).
    /// </summary>
    internal long AgeTimestamp() => _systemTime ? Environment.TickCount64 : _time.GetTimestamp();

    /// <summary>Ticks per second of <see cref="AgeTimestamp"/>.</summary>
    internal long AgeFrequency => _systemTime ? 1000 : _time.TimestampFrequency;

    /// <summary>The live tracked tasks: exact on the thread that owns the loop, a defensive snapshot elsewhere.</summary>
    internal AioTask[] SnapshotTasksForReport() => IsOwnedByCurrentThread ? _tasks.Snapshot() : _tasks.SnapshotFromAnotherThread();

    /// <summary>The executor work items in flight, oldest first.</summary>
    internal InFlightWork[] SnapshotExecutorWork() => _executor.SnapshotInFlight();

    /// <summary>
    /// The report someone asked for (SIGUSR1), to standard error: written by the loop thread when the loop runs, so that
    /// it sees the loop between two callbacks; by the calling thread when the loop does not run (not yet, between the
    /// shutdown's phases, or closed), or when the loop has not taken the request within <see cref="ReportRequestPatience"/>
    /// (a callback blocks it: then the report is all the more needed). Any thread; never throws.
    /// </summary>
    internal void WriteTaskReportOnRequest()
    {
        if (!IsRunning)
        {
            TaskReport.WriteToStandardError(this);
            return;
        }

        var request = new ReportRequest(this);
        CallSoonThreadsafe(static state => ((ReportRequest)state!).Write(byTheLoop: true), request);
        request.WriteLaterIfTheLoopDoesNot(ReportRequestPatience);
    }

    /// <summary>One SIGUSR1's report: written once, by the loop or, if the loop does not take it in time, by a timer.</summary>
    private sealed class ReportRequest
    {
        private readonly AioLoop _loop;
        private int _written;

        // Referenced here so that it lives as long as the request waits in the loop's queue.
        private Timer? _fallback;

        public ReportRequest(AioLoop loop) => _loop = loop;

        public void WriteLaterIfTheLoopDoesNot(TimeSpan patience) =>
            _fallback = new Timer(static state => ((ReportRequest)state!).Write(byTheLoop: false), this, patience, Timeout.InfiniteTimeSpan);

        public void Write(bool byTheLoop)
        {
            if (Interlocked.Exchange(ref _written, 1) != 0)
            {
                return;
            }

            _fallback?.Dispose();
            if (!byTheLoop)
            {
                try
                {
                    Log.ReportWrittenFromAnotherThread(_loop.Logger, (int)ReportRequestPatience.TotalMilliseconds);
                }
                catch (Exception)
                {
                    // A logger that throws must not end the process from a timer's thread either.
                }
            }

            TaskReport.WriteToStandardError(_loop);
        }
    }
}
