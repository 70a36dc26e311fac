// A service for NativeAOT: `dotnet publish -c Release -r linux-x64` makes a native binary that does what the JIT build
// does — signals, the task report on SIGUSR1, with EscalateOnSecondSignal (set in the csproj) a second signal during the
// shutdown that exits at once, the loop-lag watchdog, and systemd's notifications. The tests publish it and run both
// builds. args[0] picks the scenario: nothing special ("service"), a task that ignores its cancellation ("stubborn"),
// executor work that never returns ("hung-executor"), a task that blocks the loop thread once ("blocker"), or an
// EpollLoop that serves one TCP echo ("epoll": its P/Invokes and socket types in the native binary).
using System.Net;
using System.Text;
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
        else if (scenario == "epoll")
        {
            Aio.CreateTask(EpollEcho, "epoll");
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

    /// <summary>
    /// Runs an EpollLoop of its own on an executor thread (this program's loop is the default one, fixed by its entry):
    /// it listens on loopback, echoes what one client sends until the client closes, and connects to itself once.
    /// </summary>
    static async Task EpollEcho()
    {
        CancellationToken token = Aio.CancellationToken;
        string outcome = await Aio.RunInExecutor(() =>
        {
            using var loop = new EpollLoop();
            return loop.RunUntilComplete(loop.CreateTask(() => ServeOneEcho(token), "epoll echo"));
        });
        Console.WriteLine($"epoll: {outcome}");
    }

    static async Task<string> ServeOneEcho(CancellationToken token)
    {
        using var listener = new AioTcpListener(IPAddress.Loopback, 0);
        listener.Start();

        // A connection of its own first: connect, accept, one message each way, on the EpollLoop's system calls.
        ValueTask<AioTcpConnection> accepting = listener.AcceptAsync(token);
        using (AioTcpConnection self = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint, token))
        using (AioTcpConnection peer = await accepting)
        {
            await self.WriteAsync("ping"u8.ToArray(), token);
            var ping = new byte[4];
            int n = await peer.ReadAsync(ping, token);
            Console.WriteLine($"epoll: self-connect read '{Encoding.ASCII.GetString(ping, 0, n)}', on the loop: {self.UsesEpollLoop && peer.UsesEpollLoop}");
        }

        Console.WriteLine($"epoll: {AioLoop.Current.GetType().Name} listening on {listener.LocalEndPoint}, on the loop: {listener.UsesEpollLoop}");
        using AioTcpConnection client = await listener.AcceptAsync(token);
        var buffer = new byte[4096];
        long echoed = 0;
        int read;
        while ((read = await client.ReadAsync(buffer, token)) > 0)
        {
            await client.WriteAsync(buffer.AsMemory(0, read), token);
            echoed += read;
        }

        return $"echoed {echoed} bytes until the client closed";
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
