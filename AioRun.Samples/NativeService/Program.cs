// A service for NativeAOT: `dotnet publish -c Release -r linux-x64` makes a native binary that does what the JIT build
// does — signals, the task report on SIGUSR1, with EscalateOnSecondSignal (set in the csproj) a second signal during the
// shutdown that exits at once, the loop-lag watchdog, and systemd's notifications. The tests publish it and run both
// builds. args[0] picks the scenario: nothing special ("service"), a task that ignores its cancellation ("stubborn"),
// executor work that never returns ("hung-executor"), or a task that blocks the loop thread once ("blocker").
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
        else if (scenario == "blocker")
        {
            Aio.CreateTask(Blocker, "blocker");
        }
        else if (scenario == "hung-executor")
        {
            _ = Aio.RunInExecutor(() =>
            {
                Console.WriteLine("executor: started");
                Thread.Sleep(Timeout.Infinite);
            });
        }

        // Main runs for ever: tell systemd (where NOTIFY_SOCKET is set) that the service is up.
        Aio.NotifyReady();
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

    /// <summary>Holds the loop thread for 0.6 s once, on purpose: the loop-lag watchdog names it.</summary>
    static async Task Blocker()
    {
        await Aio.Sleep(0.1);
#pragma warning disable AIO003 // the point of this scenario
        Thread.Sleep(600);
#pragma warning restore AIO003
        Console.WriteLine("blocker: done");
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
