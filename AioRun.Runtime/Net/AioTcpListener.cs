using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AioRun.Epoll;

namespace AioRun;

/// <summary>
/// Listens for TCP or Unix-domain stream connections. Started on an <see cref="EpollLoop"/>, it accepts with
/// <c>accept4</c> on the loop thread (waiting in the loop's epoll only when no connection is queued) and its
/// connections do their I/O on the loop too; started anywhere else it is a <see cref="Socket"/>, and so are its
/// connections.
/// </summary>
public sealed class AioTcpListener : IDisposable
{
    private readonly EndPoint _requested;
    private NativeSocket? _native;
    private Socket? _socket;
    private int _stopped;

    /// <summary>A listener for <paramref name="localEndPoint"/>: an <see cref="IPEndPoint"/> (port 0 picks a free port) or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    /// <param name="localEndPoint">Where to listen.</param>
    /// <exception cref="ArgumentException">The endpoint is neither an IP nor a Unix-domain endpoint.</exception>
    public AioTcpListener(EndPoint localEndPoint)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        if (localEndPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unix))
        {
            throw new ArgumentException(
                $"AioTcpListener listens on an IPEndPoint or a UnixDomainSocketEndPoint; {localEndPoint.GetType().Name} ({localEndPoint.AddressFamily}) is neither.",
                nameof(localEndPoint));
        }

        _requested = localEndPoint;
    }

    /// <summary>A TCP listener on <paramref name="address"/>:<paramref name="port"/> (port 0 picks a free port).</summary>
    /// <param name="address">The local address, e.g. <see cref="IPAddress.Loopback"/>.</param>
    /// <param name="port">The port.</param>
    public AioTcpListener(IPAddress address, int port)
        : this(new IPEndPoint(address ?? throw new ArgumentNullException(nameof(address)), port))
    {
    }

    /// <summary>The endpoint it listens on once started (with the port the system picked), before that the one asked for.</summary>
    public EndPoint LocalEndPoint => _native?.LocalEndPoint ?? _socket?.LocalEndPoint ?? _requested;

    /// <summary>Whether it was started on an <see cref="EpollLoop"/> (and so accepts and does I/O on the loop thread).</summary>
    public bool UsesEpollLoop => _native is not null;

    /// <summary>Binds and starts listening. On the thread of a running <see cref="EpollLoop"/>, the listener is the loop's.</summary>
    /// <param name="backlog">How many connections the kernel queues before they are accepted.</param>
    /// <exception cref="InvalidOperationException">It was already started, or it was stopped.</exception>
    /// <exception cref="SocketException">The address is in use, or another socket error.</exception>
    public void Start(int backlog = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(backlog);
        if (_stopped != 0)
        {
            throw new InvalidOperationException("This AioTcpListener was stopped; create a new one to listen again.");
        }

        if (_native is not null || _socket is not null)
        {
            throw new InvalidOperationException("This AioTcpListener was already started; create a new one to listen again.");
        }

        if (AioLoop.TryGetCurrent(out AioLoop? loop) && loop is EpollLoop epoll)
        {
            _native = StartNative(epoll, _requested, backlog);
        }
        else
        {
            var socket = new Socket(_requested.AddressFamily, SocketType.Stream, _requested.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
            try
            {
                socket.Bind(_requested);
                socket.Listen(backlog);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
        }
    }

    /// <summary>Waits for the next connection.</summary>
    /// <param name="cancellationToken">Cancels the wait (it then throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The connection.</returns>
    /// <exception cref="InvalidOperationException">The listener was not started.</exception>
    /// <exception cref="ObjectDisposedException">The listener was stopped.</exception>
    public ValueTask<AioTcpConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        // Checked first, so that both loops name the listener (a stopped Socket would name itself instead).
        if (_stopped != 0)
        {
            throw new ObjectDisposedException(nameof(AioTcpListener), "This AioTcpListener was stopped; create a new one to listen again.");
        }

        if (_native is not null)
        {
            ValueTask<int> accepted = _native.AcceptAsync(cancellationToken);
            return accepted.IsCompletedSuccessfully ? new ValueTask<AioTcpConnection>(Wrap(accepted.Result)) : AwaitAccept(accepted);
        }

        if (_socket is null)
        {
            throw new InvalidOperationException("AioTcpListener.Start must be called before AcceptAsync.");
        }

        return AcceptSocketAsync(_socket, cancellationToken);
    }

    /// <summary>Stops listening (a pending accept fails with <see cref="ObjectDisposedException"/>); connections already accepted stay open.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _native?.Close();
        _socket?.Dispose();
    }

    /// <summary>Stops listening (see <see cref="Stop"/>).</summary>
    public void Dispose() => Stop();

    /// <inheritdoc/>
    public override string ToString() => $"AioTcpListener {LocalEndPoint}";

    private async ValueTask<AioTcpConnection> AwaitAccept(ValueTask<int> accepted) => Wrap(await accepted.ConfigureAwait(true));

    private AioTcpConnection Wrap(int fd)
    {
        var socket = new NativeSocket(_native!.Loop, fd, _native.Family, nameof(AioTcpConnection));
        if (socket.Family != AddressFamily.Unix)
        {
            try
            {
                AioTcpConnection.SetNativeNoDelay(socket, true);
            }
            catch (SocketException)
            {
                // The peer may already have reset the connection; its first read will say so.
            }
        }

        return new AioTcpConnection(socket);
    }

    private static async ValueTask<AioTcpConnection> AcceptSocketAsync(Socket listener, CancellationToken cancellationToken)
    {
        Socket socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(true);
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            socket.NoDelay = true;
        }

        return new AioTcpConnection(socket);
    }

    private static unsafe NativeSocket StartNative(EpollLoop loop, EndPoint endPoint, int backlog)
    {
        byte[] address = SocketAddresses.Serialize(endPoint);
        NativeSocket socket = NativeSocket.Create(loop, endPoint, nameof(AioTcpListener));
        try
        {
            if (endPoint.AddressFamily != AddressFamily.Unix)
            {
                // As .NET's sockets do on Linux: a restarted server may bind while old connections are in TIME_WAIT.
                int on = 1;
                Libc.SetSockOpt(socket.Fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, &on, sizeof(int));
            }

            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // IPv6 only, as a .NET socket (the default loop's listener) and asyncio's create_server are: Linux's
                // default would also take IPv4 connections on [::], and the two loops would answer differently.
                int on = 1;
                if (Libc.SetSockOpt(socket.Fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, &on, sizeof(int)) != 0)
                {
                    throw SocketErrors.Socket(Libc.Errno);
                }
            }

            fixed (byte* a = address)
            {
                if (Libc.Bind(socket.Fd, a, address.Length) != 0)
                {
                    throw SocketErrors.Socket(Libc.Errno);
                }
            }

            if (Libc.Listen(socket.Fd, backlog) != 0)
            {
                throw SocketErrors.Socket(Libc.Errno);
            }

            return socket;
        }
        catch
        {
            socket.Close();
            throw;
        }
    }
}
