using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AioRun.Tests.Net;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// The EpollLoop in AioRun.Samples/NativeService's "epoll" scenario, in the same two builds as <see cref="NativeAotTests"/>
/// (one publish for both test classes): its libc P/Invokes (epoll, eventfd, socket, connect, accept4, recv, send) and
/// socket types must work with NativeAOT as they do with the JIT.
/// </summary>
[Collection(NativeAotCollection.Name)]
public class NativeAotEpollTests
{
    private const string ListeningPrefix = "epoll: EpollLoop listening on ";
    private const string ListeningSuffix = ", on the loop: True";

    private readonly NativeServiceBuild _build;

    public NativeAotEpollTests(NativeServiceBuild build) => _build = build;

    public static TheoryData<bool> Builds => new() { false, true };

    [LinuxTheory]
    [MemberData(nameof(Builds))]
    public void An_EpollLoop_connects_accepts_and_echoes_over_TCP_and_the_program_still_exits_0_on_SIGTERM(bool native)
    {
        using var child = _build.Start(native, "epoll");
        child.WaitForLine("READY");
        child.WaitForLine("epoll: self-connect read 'ping', on the loop: True");
        string listening = child.WaitForLines(l => l.StartsWith(ListeningPrefix, StringComparison.Ordinal) && l.EndsWith(ListeningSuffix, StringComparison.Ordinal), 1, "the EpollLoop's listening line")[0];
        var endPoint = IPEndPoint.Parse(listening[ListeningPrefix.Length..^ListeningSuffix.Length]);

        // More than one socket buffer's worth, so that the server's writes wait for the client to read.
        byte[] sent = new byte[1 << 20];
        new Random(7).NextBytes(sent);
        byte[] received = new byte[sent.Length];
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.ReceiveTimeout = socket.SendTimeout = (int)ChildProcess.Generous.TotalMilliseconds;
            socket.Connect(endPoint);
            Task sending = Task.Run(() =>
            {
                socket.Send(sent);
                socket.Shutdown(SocketShutdown.Send);
            });
            int total = 0;
            while (total < received.Length)
            {
                int n = socket.Receive(received, total, received.Length - total, SocketFlags.None);
                Assert.True(n > 0, $"end of stream after {total} of {received.Length} bytes{Environment.NewLine}{child.Transcript}");
                total += n;
            }

            Assert.True(sending.Wait(ChildProcess.Generous), "the client's send did not finish");
            Assert.Equal(0, socket.Receive(new byte[1])); // the server closed after the client's end of stream
        }

        Assert.Equal(sent, received);
        child.WaitForLine($"epoll: echoed {sent.Length} bytes until the client closed");

        child.Signal(PosixSignal.SIGTERM);
        int exitCode = child.WaitForExit();

        Assert.True(exitCode == 0, $"exit code {exitCode}{Environment.NewLine}{child.Transcript}");
        Lines.AssertInOrder(child.Stderr, "Stopping the loop", "Entering shutdown phase.", "Cancelling pending tasks. (2 tasks)", "Leaving. Bye!");
    }
}
