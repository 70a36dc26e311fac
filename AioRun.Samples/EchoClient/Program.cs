// aiorun's echo client: send one message to the echo server, print the reply, then stop the loop
// (which runs the shutdown and exits 0), like the original example.
// Usage: dotnet run --project AioRun.Samples/EchoClient [-- [port [message]] [--loop default|epoll]]
//
// Like the echo server, it chooses its loop at run time (--loop epoll or AIORUN_SAMPLE_LOOP=epoll), through
// LoopChoice.Run: the program [AioRunEntry] would generate, written out with AioProgram.
using System.Text;
using AioRun;

static class Program
{
    static int Main(string[] args)
    {
        bool epoll = LoopChoice.WantsEpoll(ref args);
        int port = args.Length > 0 ? int.Parse(args[0]) : 8888;
        string message = args.Length > 1 ? args[1] : "Hello World!";

        return LoopChoice.Run(epoll, () => Talk(port, message));
    }

    static async Task Talk(int port, string message)
    {
        await using AioTcpConnection client = await AioTcpConnection.ConnectAsync("127.0.0.1", port, Aio.CancellationToken);
        Console.WriteLine($"Send: '{message}'");
        await client.WriteAsync(Encoding.UTF8.GetBytes(message), Aio.CancellationToken);
        var buffer = new byte[100];
        int read = await client.ReadAsync(buffer, Aio.CancellationToken);
        Console.WriteLine($"Received: '{Encoding.UTF8.GetString(buffer, 0, read)}'");
        Console.WriteLine("Close the socket");
        Aio.Stop(); // exit after one message, like the original
    }
}
