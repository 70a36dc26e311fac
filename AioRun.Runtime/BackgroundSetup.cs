using System.Collections.Concurrent;
using System.Threading;

namespace AioRun;

/// <summary>
/// What a program needs ready but not at its start, done once, on a short-lived thread of its own, when a loop first
/// waits for work: the metrics (<see cref="AioMetrics"/>), and the first use of what the first signal's line and the
/// loop's first work from another thread go through, so that neither pays for it then.
/// </summary>
/// <remarks>
/// Not earlier: a program that ends before its loop ever waits would otherwise wait at its exit for that thread (the
/// runtime's exit takes the event source that the meter's creation is still setting up), and not on the loop's thread,
/// whose first wait must not turn into several milliseconds of work. A thread rather than the thread pool, whose own
/// start costs about as much as the meter.
/// </remarks>
internal static class BackgroundSetup
{
    private static int s_started;

    /// <summary>A loop is about to wait for work: the first call starts the set-up. Any thread.</summary>
    public static void OnLoopIdle()
    {
        if (Volatile.Read(ref s_started) == 0 && Interlocked.Exchange(ref s_started, 1) == 0)
        {
            new Thread(static () => Run()) { IsBackground = true, Name = "AioRun background setup" }.UnsafeStart();
        }
    }

    private static void Run()
    {
        // The first signal's line: libc's write bound, the encoder run once.
        (AioLogging.Output as StandardErrorWriter)?.Prepare();

        // Work posted from another thread goes through a ConcurrentQueue<WorkItem>, a framework generic over AioRun's
        // type that the package's ReadyToRun code cannot carry: its enqueue and dequeue are JIT-compiled at their first
        // use, which is otherwise the first signal's (on its way to the exit) or the first I/O completion's.
        var queue = new ConcurrentQueue<WorkItem>();
        queue.Enqueue(default);
        queue.TryDequeue(out _);

        AioMetrics.CreateInstruments();
    }
}
