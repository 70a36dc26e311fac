// The quick start: a few tasks on the loop, one of them protected by ShutdownWaitsFor, work in the
// executor, and aiorun's shutdown sequence. It stops itself after 3 seconds; press Ctrl-C to stop it
// earlier. Usage: dotnet run --project AioRun.Samples/Quickstart [-- seconds]
using AioRun;

static partial class Program
{
    [AioRunEntry(ShutdownTimeoutSeconds = 10)]
    static async Task Main(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3.0;
        Console.WriteLine($"Running. Press Ctrl-C to stop (or wait {seconds} s).");
        Aio.CreateTask(Ticker, "ticker");
        Aio.ShutdownWaitsFor(SaveState, "save-state");
        double sum = await Aio.RunInExecutor(() => Enumerable.Range(1, 1_000_000).Sum(i => (double)i));
        Console.WriteLine($"Executor computed {sum:N0}.");
        await Aio.Sleep(seconds);
        Console.WriteLine("Main is done; stopping the loop.");
        Aio.Stop();
    }

    static async Task Ticker()
    {
        try
        {
            for (int i = 1; ; i++)
            {
                await Aio.Sleep(1.0);
                Console.WriteLine($"tick {i}");
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("ticker was cancelled!");
        }
    }

    static async Task SaveState(CancellationToken token)
    {
        await Aio.Sleep(0.5, token);
        Console.WriteLine("state saved (ShutdownWaitsFor kept it alive through the shutdown)");
    }
}
