// An AioRun service: everything below runs on one single-threaded event loop, and SIGINT/SIGTERM (Ctrl-C,
// docker stop, kubectl delete pod, systemctl stop) start aiorun's orderly shutdown: pending tasks are cancelled
// and waited for, then the program exits with 0.
//   Writing code for the loop: https://github.com/aiorun-dotnet/aiorun#quick-start-writing-code-for-the-loop
//   The shapes of Main and the options of [AioRunEntry]: https://github.com/aiorun-dotnet/aiorun/blob/main/docs/entry.md
//   The analyzers (AIO001-AIO004, set in .editorconfig): https://github.com/aiorun-dotnet/aiorun/blob/main/docs/rules/loop-safety.md
using AioRun;

namespace AioRunService1;

// partial: the source generator writes the rest of Program (the real entry point, the signals, the shutdown).
static partial class Program
{
    [AioRunEntry]
    static async Task Main()
    {
        Aio.CreateTask(Worker, "worker");   // tracked: the shutdown cancels it and waits for it
        await Aio.Sleep(1.0);               // Main's own work; the loop keeps running after Main returns
    }

    static async Task Worker()
    {
        try
        {
            while (true)
            {
                Console.WriteLine("working");
                await Aio.Sleep(5);         // observes the task's cancellation by itself
            }
        }
        catch (OperationCanceledException)
        {
            // The shutdown cancelled the task: clean up here (cleanup awaits pass CancellationToken.None,
            // or go through Aio.ShutdownWaitsFor).
            Console.WriteLine("worker stopped");
        }
    }
}
