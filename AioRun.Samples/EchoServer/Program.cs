// aiorun's echo server (the asyncio docs' example): serve on 127.0.0.1:8888 until Ctrl-C or
// `docker stop`; then the shutdown cancels the server and any open connection, and exits 0.
// Usage: dotnet run --project AioRun.Samples/EchoServer [-- port]
using System.Net;
using System.Net.Sockets;
using System.Text;
using AioRun;

static partial class Program
{
    [AioRunEntry]
    static async Task Main(string[] args)
    {
        int port = args.Length > 0 ? int.Parse(args[0]) : 8888;
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Console.WriteLine($"Serving on {listener.LocalEndpoint}");
        while (true)
        {
            TcpClient client = await listener.AcceptTcpClientAsync(Aio.CancellationToken);
            Aio.CreateTask(() => HandleEcho(client), $"client {client.Client.RemoteEndPoint}");
        }
    }

    static async Task HandleEcho(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            var buffer = new byte[100];
            int read = await stream.ReadAsync(buffer, Aio.CancellationToken);
            string message = Encoding.UTF8.GetString(buffer, 0, read);
            Console.WriteLine($"Received '{message}' from {client.Client.RemoteEndPoint}");
            Console.WriteLine($"Send: '{message}'");
            await stream.WriteAsync(buffer.AsMemory(0, read), Aio.CancellationToken);
            Console.WriteLine("Close the client socket");
        }
    }
}
