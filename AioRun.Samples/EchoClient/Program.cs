// aiorun's echo client: send one message to the echo server, print the reply, then stop the loop
// (which runs the shutdown and exits 0), like the original example.
// Usage: dotnet run --project AioRun.Samples/EchoClient [-- port [message]]
using System.Net.Sockets;
using System.Text;
using AioRun;

static partial class Program
{
    [AioRunEntry]
    static async Task Main(string[] args)
    {
        int port = args.Length > 0 ? int.Parse(args[0]) : 8888;
        string message = args.Length > 1 ? args[1] : "Hello World!";
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, Aio.CancellationToken);
        NetworkStream stream = client.GetStream();
        Console.WriteLine($"Send: '{message}'");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(message), Aio.CancellationToken);
        var buffer = new byte[100];
        int read = await stream.ReadAsync(buffer, Aio.CancellationToken);
        Console.WriteLine($"Received: '{Encoding.UTF8.GetString(buffer, 0, read)}'");
        Console.WriteLine("Close the socket");
        Aio.Stop(); // exit after one message, like the original
    }
}
