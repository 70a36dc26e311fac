using System.Net;
using System.Net.Sockets;
using AioRun;

namespace AioRun.Benchmarks.Echo;

/// <summary>
/// The .NET echo servers of the echo benchmark, each run as its own process (<c>echo-server SUBJECT</c>): it prints
/// <c>READY port</c> and echoes what each connection sends until it is killed.
/// </summary>
internal static class EchoServers
{
    public const int BufferSize = 4096;

    public static int Run(string[] args)
    {
        string subject = args.Length > 0 ? args[0] : string.Empty;
        switch (subject)
        {
            case "aio-default":
                return OnLoop(new AioLoop(), DefaultLoopServer);
            case "aio-default-inline":
                // The InlineSocketCompletions option, applied as a generated program applies it: by creating the
                // AioProgram first, before any socket is opened.
                using (new AioProgram(new AioRunOptions { InlineSocketCompletions = true }))
                {
                    return OnLoop(new AioLoop(), DefaultLoopServer);
                }

            case "aio-epoll":
                return OnLoop(new EpollLoop(), EpollLoopServer);
            case "threadpool":
                ThreadPoolServer().GetAwaiter().GetResult();
                return 0;
            default:
                Console.Error.WriteLine($"Unknown echo server '{subject}'. Use one of: aio-default, aio-default-inline, aio-epoll, threadpool.");
                return 2;
        }
    }

    private static int OnLoop(AioLoop loop, Func<Task> server)
    {
        using (loop)
        {
            loop.RunUntilComplete(loop.CreateTask(server, "server"));
        }

        return 0;
    }

    /// <summary>AioRun's default loop with standard .NET code, as in the EchoServer sample: TcpListener and NetworkStream.</summary>
    private static async Task DefaultLoopServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        Ready(((IPEndPoint)listener.LocalEndpoint).Port);
        while (true)
        {
            TcpClient client = await listener.AcceptTcpClientAsync(Aio.CancellationToken);
            client.NoDelay = true;
            _ = Aio.CreateTask(async () =>
            {
                using (client)
                {
                    NetworkStream stream = client.GetStream();
                    var buffer = new byte[BufferSize];
                    int n;
                    while ((n = await stream.ReadAsync(buffer, Aio.CancellationToken)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, n), Aio.CancellationToken);
                    }
                }
            }, "client");
        }
    }

    /// <summary>AioRun's EpollLoop with its own socket types.</summary>
    private static async Task EpollLoopServer()
    {
        using var listener = new AioTcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        Ready(((IPEndPoint)listener.LocalEndPoint).Port);
        while (true)
        {
            AioTcpConnection connection = await listener.AcceptAsync(Aio.CancellationToken);
            _ = Aio.CreateTask(async () =>
            {
                using (connection)
                {
                    var buffer = new byte[BufferSize];
                    int n;
                    while ((n = await connection.ReadAsync(buffer, Aio.CancellationToken)) > 0)
                    {
                        await connection.WriteAsync(buffer.AsMemory(0, n), Aio.CancellationToken);
                    }
                }
            }, "client");
        }
    }

    /// <summary>A plain .NET server: no AioRun, async I/O on the thread pool.</summary>
    private static async Task ThreadPoolServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        Ready(((IPEndPoint)listener.LocalEndpoint).Port);
        while (true)
        {
            TcpClient client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            client.NoDelay = true;
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    NetworkStream stream = client.GetStream();
                    var buffer = new byte[BufferSize];
                    int n;
                    while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                    }
                }
            });
        }
    }

    private static void Ready(int port)
    {
        Console.WriteLine($"READY {port}");
        Console.Out.Flush();
    }
}
