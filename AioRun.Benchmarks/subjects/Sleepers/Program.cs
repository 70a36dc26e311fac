using AioRun;

namespace Sleepers;

/// <summary>
/// <c>Sleepers N [--measure]</c>: creates N tracked tasks that each sleep an hour, lets each reach its sleep, prints
/// <c>ready</c> on standard output and waits for a signal. With <c>--measure</c> the ready line also gives the bytes the
/// loop thread allocated per task and the live bytes per task after a full collection.
/// </summary>
public static partial class Program
{
    [AioRunEntry]
    public static async Task Main(string[] args)
    {
        int count = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        bool measure = args.Length > 1 && args[1] == "--measure";
        long liveBefore = measure ? GC.GetTotalMemory(forceFullCollection: true) : 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++)
        {
            Aio.CreateTask(static () => Aio.Sleep(3600));
        }

        // Two turns: the first starts every task, each of which is then in its sleep.
        await Task.Yield();
        await Task.Yield();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (measure)
        {
            long live = GC.GetTotalMemory(forceFullCollection: true) - liveBefore;
            Console.WriteLine($"ready allocated_per_task={allocated / (double)count:F1} live_per_task={live / (double)count:F1}");
        }
        else
        {
            Console.WriteLine("ready");
        }
    }
}
