namespace AioRun;

/// <summary>
/// An AioRun awaitable that a task report can name (an <c>Aio.Sleep</c>, a <c>ShutdownWaitsFor</c> shield, executor
/// work): the task that created it remembers the last one, and its report line says what it waits on while that one
/// is not complete. Read from any thread.
/// </summary>
internal interface IReportedWait
{
    /// <summary>What the task waits on, e.g. <c>waiting on Aio.Sleep, due in 4.2 s</c>; <see langword="null"/> once complete.</summary>
    /// <param name="time">When the report is taken.</param>
    string? DescribeWait(in ReportTime time);
}
