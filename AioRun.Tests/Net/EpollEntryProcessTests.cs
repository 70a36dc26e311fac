using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using AioRun.Tests.Generator;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>
/// <c>[AioRunEntry(LoopType = typeof(EpollLoop))]</c> as a user writes it: the program generated, compiled with the
/// real AioRun.dll and run as a process that serves TCP on the EpollLoop, then stopped with SIGTERM.
/// </summary>
public class EpollEntryProcessTests
{
    /// <summary>
    /// An echo service on the entry's EpollLoop. A client line "save" hands the connection to a ShutdownWaitsFor task,
    /// which reads one more line and answers it: the shutdown must wait for that read and that write.
    /// </summary>
    private const string EchoService = """
        using System.Net;
        using System.Text;

        static partial class Program
        {
            [AioRunEntry(LoopType = typeof(EpollLoop))]
            static async Task Main()
            {
                using var listener = new AioTcpListener(IPAddress.Loopback, 0);
                listener.Start();
                Console.WriteLine($"loop: {AioLoop.Current.GetType().Name}, listener on the loop: {listener.UsesEpollLoop}");
                Console.WriteLine($"listening on {listener.LocalEndPoint}");
                while (true)
                {
                    AioTcpConnection connection;
                    try
                    {
                        connection = await listener.AcceptAsync(Aio.CancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        Console.WriteLine("accept cancelled");
                        throw;
                    }

                    _ = Aio.CreateTask(() => Serve(connection), "serve");
                }
            }

            static async Task Serve(AioTcpConnection connection)
            {
                bool handedOver = false;
                try
                {
                    var reader = new StreamReader(connection.Stream, Encoding.UTF8);
                    string? line;
                    while ((line = await reader.ReadLineAsync(Aio.CancellationToken)) is not null)
                    {
                        if (line == "save")
                        {
                            handedOver = true;
                            Console.WriteLine("save started");
                            await Aio.ShutdownWaitsFor(token => Save(connection, reader, token), "save");
                            return;
                        }

                        await connection.WriteAsync(Encoding.UTF8.GetBytes($"echo: {line}\n"), Aio.CancellationToken);
                        Console.WriteLine($"echoed {line} on a connection on the loop: {connection.UsesEpollLoop}");
                    }
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("serve cancelled");
                    throw;
                }
                finally
                {
                    if (!handedOver)
                    {
                        connection.Dispose();
                    }
                }
            }

            static async Task Save(AioTcpConnection connection, StreamReader reader, CancellationToken token)
            {
                using (connection)
                {
                    string? what = await reader.ReadLineAsync(token);
                    await connection.WriteAsync(Encoding.UTF8.GetBytes($"saved {what}\n"), token);
                    Console.WriteLine($"save written: {what}");
                }
            }
        }
        """;

    [LinuxFact]
    public void SIGTERM_cancels_the_accept_and_the_reads_closes_the_connections_waits_for_the_protected_write_and_exits_0()
    {
        using ChildProcess child = GeneratedProgram.Start(EchoService);
        child.WaitForLine("loop: EpollLoop, listener on the loop: True");
        string listening = child.WaitForLines(l => l.StartsWith("listening on 127.0.0.1:", StringComparison.Ordinal), 1, "the listening line")[0];
        var endPoint = IPEndPoint.Parse(listening["listening on ".Length..]);

        using Client idle = Client.Connect(endPoint);
        using Client saver = Client.Connect(endPoint);

        // Both connections echo on the EpollLoop.
        idle.Send("hello");
        Assert.Equal("echo: hello", idle.ReadLine());
        saver.Send("first");
        Assert.Equal("echo: first", saver.ReadLine());
        child.WaitForLine("echoed hello on a connection on the loop: True");
        child.WaitForLine("echoed first on a connection on the loop: True");

        saver.Send("save");
        child.WaitForLine("save started");

        child.Signal(PosixSignal.SIGTERM);
        // Main's accept and the idle connection's read are cancelled; the protected save still waits for its line.
        child.WaitForLine("accept cancelled");
        child.WaitForLine("serve cancelled");
        Assert.Null(idle.ReadLine()); // the idle connection was closed: end of stream
        Assert.DoesNotContain(child.AllLines, l => l.StartsWith("save written", StringComparison.Ordinal));

        // During the shutdown, the save reads its line and writes its answer on the EpollLoop.
        saver.Send("the-data");
        Assert.Equal("saved the-data", saver.ReadLine());
        Assert.Null(saver.ReadLine());

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(
            child.AllLines,
            "save started",
            "Stopping the loop",
            "Entering shutdown phase.",
            "Cancelling pending tasks. (3 tasks)",
            "Running pending tasks till complete",
            "save written: the-data",
            "Waiting for executor shutdown.",
            "Leaving. Bye!");
        Assert.Contains("accept cancelled", child.AllLines);
    }

    /// <summary>A plain .NET client that sends and reads lines, each read with a generous timeout.</summary>
    private sealed class Client : IDisposable
    {
        private readonly Socket _socket;
        private readonly StreamReader _reader;

        private Client(Socket socket)
        {
            _socket = socket;
            _socket.ReceiveTimeout = (int)ChildProcess.Generous.TotalMilliseconds;
            _reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
        }

        public static Client Connect(IPEndPoint endPoint)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endPoint);
            return new Client(socket);
        }

        public void Send(string line) => _socket.Send(Encoding.UTF8.GetBytes(line + "\n"));

        /// <summary>The next line; <see langword="null"/> at the end of the stream.</summary>
        public string? ReadLine() => _reader.ReadLine();

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }
    }
}
