using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>The echo samples as real processes on both loops: the round trip, and SIGTERM with connections open.</summary>
public class SocketProcessTests
{
    public static TheoryData<string> LoopsOnThisSystem => Loops.Both;

    [UnixTheory]
    [MemberData(nameof(LoopsOnThisSystem))]
    public void The_echo_samples_talk_on_either_loop(string kind)
    {
        string port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var server = ChildProcess.StartDotnetMerged(Repository.SampleDll("EchoServer"), port, "--loop", kind);
        server.WaitForLine($"Serving on 127.0.0.1:{port}");
        server.WaitForLine(kind == Loops.Epoll ? "Loop: EpollLoop" : "Loop: AioLoop");

        using (var client = ChildProcess.StartDotnetMerged(Repository.SampleDll("EchoClient"), port, "--loop", kind))
        {
            Assert.True(client.WaitForExit() == 0, client.Transcript);
            Lines.AssertInOrder(client.AllLines, "Send: 'Hello World!'", "Received: 'Hello World!'", "Close the socket", "Leaving. Bye!");
        }

        server.WaitForLine("Close the client socket");
        server.Signal(PosixSignal.SIGTERM);
        Assert.True(server.WaitForExit() == 0, server.Transcript);
    }

    [UnixTheory]
    [MemberData(nameof(LoopsOnThisSystem))]
    public void SIGTERM_with_open_connections_cancels_their_reads_closes_them_and_exits_0(string kind)
    {
        const int Connections = 20;
        int port = FreePort();
        using var server = ChildProcess.StartDotnetMerged(Repository.SampleDll("EchoServer"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--loop", kind);
        server.WaitForLine($"Serving on 127.0.0.1:{port}");

        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
                sockets.Add(socket);
            }

            // Each connection's task now waits in a read.
            server.WaitForLines(l => l.StartsWith("Connection from 127.0.0.1:", StringComparison.Ordinal), Connections, "the connections");

            server.Signal(PosixSignal.SIGTERM);
            Assert.True(server.WaitForExit() == 0, server.Transcript);
            Lines.AssertInOrder(server.AllLines, "Entering shutdown phase.", $"Cancelling pending tasks. ({Connections + 1} tasks)", "Leaving. Bye!");

            // The server closed every connection: each client reads the end of the stream (or a reset), never hangs.
            foreach (Socket socket in sockets)
            {
                socket.ReceiveTimeout = (int)ChildProcess.Generous.TotalMilliseconds;
                try
                {
                    Assert.Equal(0, socket.Receive(new byte[16]));
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                }
            }
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
