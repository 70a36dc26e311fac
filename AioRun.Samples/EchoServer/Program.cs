// aiorun's echo server (the asyncio docs' example): serve on 127.0.0.1:8888 until Ctrl-C or
// `docker stop`; then the shutdown cancels the server and any open connection, and exits 0.
// Usage: dotnet run --project AioRun.Samples/EchoServer [-- [port] [--loop default|epoll]]
//
// It runs on either loop, chosen at run time: --loop epoll (or AIORUN_SAMPLE_LOOP=epoll) picks the EpollLoop, where
// AioTcpListener and AioTcpConnection do their I/O on the loop thread; on the default loop they are .NET sockets.
// With [AioRunEntry] the loop is chosen at compile time ([AioRunEntry(LoopType = typeof(EpollLoop))]); to choose at
// run time, LoopChoice.Run is the program [AioRunEntry] would generate, written out with AioProgram.
using System.Net;
using System.Text;
using AioRun;

static class Program
{
    static int Main(string[] args)
    {
        bool epoll = LoopChoice.WantsEpoll(ref args);
        int port = args.Length > 0 ? int.Parse(args[0]) : 8888;

        return LoopChoice.Run(epoll, () => Serve(port));
    }

    static async Task Serve(int port)
    {
        using var listener = new AioTcpListener(IPAddress.Loopback, port);
        listener.Start();
        Console.WriteLine($"Serving on {listener.LocalEndPoint}");
        Console.WriteLine($"Loop: {AioLoop.Current.GetType().Name}");
        while (true)
        {
            AioTcpConnection client = await listener.AcceptAsync(Aio.CancellationToken);
            Console.WriteLine($"Connection from {client.RemoteEndPoint}");
            Aio.CreateTask(() => HandleEcho(client), $"client {client.RemoteEndPoint}");
        }
    }

    static async Task HandleEcho(AioTcpConnection client)
    {
        using (client)
        {
            var buffer = new byte[100];
            int read = await client.ReadAsync(buffer, Aio.CancellationToken);
            string message = Encoding.UTF8.GetString(buffer, 0, read);
            Console.WriteLine($"Received '{message}' from {client.RemoteEndPoint}");
            Console.WriteLine($"Send: '{message}'");
            await client.WriteAsync(buffer.AsMemory(0, read), Aio.CancellationToken);
            Console.WriteLine("Close the client socket");
        }
    }
}
