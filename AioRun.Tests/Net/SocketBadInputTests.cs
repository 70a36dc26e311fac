using System.Net;
using System.Net.Sockets;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>AioTcpListener and AioTcpConnection misused: each mistake gets an exception that names it, alike on both loops.</summary>
public class SocketBadInputTests
{
    [Fact]
    public void A_listener_refuses_a_null_or_unsupported_endpoint_a_bad_port_and_a_negative_backlog_naming_the_parameter()
    {
        Assert.Equal("localEndPoint", Assert.Throws<ArgumentNullException>(() => new AioTcpListener(null!)).ParamName);
        Assert.Equal("address", Assert.Throws<ArgumentNullException>(() => new AioTcpListener(null!, 0)).ParamName);
        Assert.Equal("port", Assert.Throws<ArgumentOutOfRangeException>(() => new AioTcpListener(IPAddress.Loopback, 70000)).ParamName);

        var unsupported = Assert.Throws<ArgumentException>(() => new AioTcpListener(new DnsEndPoint("localhost", 80)));
        Assert.Equal("localEndPoint", unsupported.ParamName);
        Assert.Contains("IPEndPoint or a UnixDomainSocketEndPoint; DnsEndPoint", unsupported.Message, StringComparison.Ordinal);

        using var listener = new AioTcpListener(IPAddress.Loopback, 0);
        Assert.Equal("backlog", Assert.Throws<ArgumentOutOfRangeException>(() => listener.Start(-1)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void AcceptAsync_before_Start_says_Start_must_come_first(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using var listener = new AioTcpListener(IPAddress.Loopback, 0);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await listener.AcceptAsync());
            Assert.Equal("AioTcpListener.Start must be called before AcceptAsync.", error.Message);
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_second_Start_is_refused_and_the_first_listener_still_accepts(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            var error = Assert.Throws<InvalidOperationException>(() => listener.Start());
            Assert.Equal("This AioTcpListener was already started; create a new one to listen again.", error.Message);

            ValueTask<AioTcpConnection> accepting = listener.AcceptAsync();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;
            Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_second_AcceptAsync_while_one_waits_is_refused_on_the_EpollLoop_and_taken_on_the_default_loop(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            ValueTask<AioTcpConnection> first = listener.AcceptAsync();
            if (kind == Loops.Epoll)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await listener.AcceptAsync());
                Assert.Contains("already has an accept in progress; await it before starting another (one accept at a time on the EpollLoop)", error.Message, StringComparison.Ordinal);
                using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
                using AioTcpConnection server = await first; // the first accept is unharmed
                Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
            }
            else
            {
                ValueTask<AioTcpConnection> second = listener.AcceptAsync();
                using AioTcpConnection client1 = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
                using AioTcpConnection client2 = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
                using AioTcpConnection server1 = await first;
                using AioTcpConnection server2 = await second;
                Assert.Equal(
                    new[] { client1.LocalEndPoint, client2.LocalEndPoint }.Select(e => e!.ToString()).Order(StringComparer.Ordinal),
                    new[] { server1.RemoteEndPoint, server2.RemoteEndPoint }.Select(e => e!.ToString()).Order(StringComparer.Ordinal));
            }
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Start_after_Dispose_says_the_listener_was_stopped(string kind)
    {
        Loops.Run(kind, () =>
        {
            var listener = new AioTcpListener(IPAddress.Loopback, 0);
            listener.Dispose();
            var error = Assert.Throws<InvalidOperationException>(() => listener.Start());
            Assert.Equal("This AioTcpListener was stopped; create a new one to listen again.", error.Message);
            return Task.CompletedTask;
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void AcceptAsync_after_Dispose_throws_ObjectDisposedException_naming_the_listener_whether_or_not_it_was_started(string kind)
    {
        Loops.Run(kind, async () =>
        {
            AioTcpListener started = Loops.StartLoopback();
            started.Dispose();
            var afterStart = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await started.AcceptAsync());
            Assert.Equal(nameof(AioTcpListener), afterStart.ObjectName);

            var neverStarted = new AioTcpListener(IPAddress.Loopback, 0);
            neverStarted.Dispose();
            var beforeStart = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await neverStarted.AcceptAsync());
            Assert.Equal(nameof(AioTcpListener), beforeStart.ObjectName);
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Reading_writing_or_shutting_down_a_disposed_connection_throws_ObjectDisposedException_naming_the_connection(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            (AioTcpConnection client, AioTcpConnection server) = await Loops.ConnectPair(listener);
            using AioTcpConnection _ = server;
            client.Dispose();

            var read = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.ReadAsync(new byte[4]));
            Assert.Equal(nameof(AioTcpConnection), read.ObjectName);
            var write = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.WriteAsync(new byte[4]));
            Assert.Equal(nameof(AioTcpConnection), write.ObjectName);
            Assert.Equal(nameof(AioTcpConnection), Assert.Throws<ObjectDisposedException>(client.ShutdownSend).ObjectName);

            // The peer sees the close as the end of the stream.
            Assert.Equal(0, await server.ReadAsync(new byte[4]));
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void The_stream_and_NoDelay_of_a_disposed_connection_throw_ObjectDisposedException_naming_the_connection(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            (AioTcpConnection client, AioTcpConnection server) = await Loops.ConnectPair(listener);
            using AioTcpConnection _ = server;
            client.Dispose();

            Assert.Equal(nameof(AioTcpConnection), Assert.Throws<ObjectDisposedException>(() => client.Stream).ObjectName);
            Assert.Equal(nameof(AioTcpConnection), Assert.Throws<ObjectDisposedException>(() => client.NoDelay).ObjectName);
            Assert.Equal(nameof(AioTcpConnection), Assert.Throws<ObjectDisposedException>(() => client.NoDelay = false).ObjectName);

            // A stream taken before the close is the same object after it, and refuses I/O as a disposed stream does.
            Stream stream = server.Stream;
            server.Dispose();
            Assert.Same(stream, server.Stream);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.ReadExactlyAsync(new byte[4]));
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void NoDelay_of_a_Unix_domain_connection_reads_false_and_ignores_a_change_on_both_loops(string kind)
    {
        string path = Loops.UnixSocketPath();
        try
        {
            Loops.Run(kind, async () =>
            {
                using var listener = new AioTcpListener(new UnixDomainSocketEndPoint(path));
                listener.Start();
                (AioTcpConnection client, AioTcpConnection server) = await Loops.ConnectPair(listener);
                using AioTcpConnection c = client, s = server;

                Assert.False(client.NoDelay);
                client.NoDelay = true;
                Assert.False(client.NoDelay);
                Assert.False(server.NoDelay);
            });
        }
        finally
        {
            Loops.DeleteQuietly(path);
        }
    }

    [IPv6Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_listener_on_the_IPv6_any_address_takes_IPv6_connections_and_refuses_IPv4_ones_on_both_loops(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using var listener = new AioTcpListener(IPAddress.IPv6Any, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

            (AioTcpConnection v6, AioTcpConnection server) = await Loops.ConnectPair(listener, new IPEndPoint(IPAddress.IPv6Loopback, port));
            using AioTcpConnection c = v6, s = server;
            Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)server.RemoteEndPoint!).Address);

            // IPv6 only, as .NET's sockets and asyncio's create_server are: an IPv4 client is refused, not accepted as ::ffff:127.0.0.1.
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await AioTcpConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void ConnectAsync_refuses_a_null_or_unsupported_endpoint_an_empty_host_and_a_bad_port(string kind)
    {
        Loops.Run(kind, async () =>
        {
            var none = await Assert.ThrowsAsync<ArgumentNullException>(async () => await AioTcpConnection.ConnectAsync((EndPoint)null!));
            Assert.Equal("remoteEndPoint", none.ParamName);

            var dns = await Assert.ThrowsAsync<ArgumentException>(async () => await AioTcpConnection.ConnectAsync(new DnsEndPoint("localhost", 80)));
            Assert.Equal("remoteEndPoint", dns.ParamName);
            Assert.Contains("IPEndPoint or a UnixDomainSocketEndPoint; DnsEndPoint", dns.Message, StringComparison.Ordinal);
            Assert.Contains("ConnectAsync(host, port)", dns.Message, StringComparison.Ordinal);

            Assert.Equal("host", (await Assert.ThrowsAsync<ArgumentException>(async () => await AioTcpConnection.ConnectAsync("", 80))).ParamName);
            Assert.Equal("port", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await AioTcpConnection.ConnectAsync("127.0.0.1", 70000))).ParamName);
        });
    }

    [Fact]
    public void The_EpollLoop_is_refused_off_Linux_with_a_message_naming_the_system_and_the_two_fixes()
    {
        Assert.Equal(
            "EpollLoop needs Linux (it waits in epoll_wait), but this is Microsoft Windows 10.0.22631. " +
            "Use the default loop here: remove LoopType = typeof(EpollLoop), or choose the loop at run time.",
            EpollLoop.UnsupportedPlatformMessage("Microsoft Windows 10.0.22631"));

        if (OperatingSystem.IsLinux())
        {
            using var loop = new EpollLoop();
            Assert.False(loop.IsClosed);
        }
        else
        {
            var error = Assert.Throws<PlatformNotSupportedException>(() => new EpollLoop());
            Assert.Equal(EpollLoop.UnsupportedPlatformMessage(System.Runtime.InteropServices.RuntimeInformation.OSDescription), error.Message);
        }
    }
}
