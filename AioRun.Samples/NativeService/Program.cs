// A service for NativeAOT: `dotnet publish -c Release -r linux-x64` makes a native binary that does what the JIT build
// does — signals, the task report on SIGUSR1, and, with EscalateOnSecondSignal (set in the csproj), a second signal
// during the shutdown that exits at once. The tests publish it and signal both builds. args[0] picks what holds the
// shutdown up: nothing ("service"), a task that ignores its cancellation ("stubborn"), or executor work that never
// returns ("hung-executor").
using AioRun;

static partial class Program
{
    [AioRunEntry(ShutdownTimeoutSeconds = 30)]
    static async Task Main(string[] args)
    {
        string scenario = args.Length > 0 ? args[0] : "service";
        Aio.CreateTask(Worker, "worker");
        if (scenario == "stubborn")
        {
            Aio.CreateTask(Stubborn, "stubborn");
        }
        else if (scenario == "hung-executor")
        {
            _ = Aio.RunInExecutor(() =>
            {
                Console.WriteLine("executor: started");
                Thread.Sleep(Timeout.Infinite);
            });
        }

        Console.WriteLine("READY");
        await Aio.Sleep(double.PositiveInfinity);
    }

    static async Task Worker()
    {
        try
        {
            while (true)
            {
                await Aio.Sleep(0.05);
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("worker: cancelled");
            throw;
        }
    }

    /// <summary>Refuses to stop: catches its cancellation and goes on waiting.</summary>
    static async Task Stubborn()
    {
        while (true)
        {
            try
            {
                await Aio.Sleep(0.05);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stubborn: refusing to stop");
                await Aio.Sleep(double.PositiveInfinity, CancellationToken.None);
            }
        }
    }
}
