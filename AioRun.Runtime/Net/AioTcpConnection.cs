using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using AioRun.Epoll;

namespace AioRun;

/// <summary>
/// A TCP or Unix-domain stream connection, from <see cref="AioTcpListener.AcceptAsync"/> or <see cref="ConnectAsync(EndPoint, CancellationToken)"/>.
/// On an <see cref="EpollLoop"/> its reads and writes are system calls made on the loop thread (tried at once, waiting
/// in the loop's epoll only when they would block), and every completion runs on the loop with no thread hop. On any
/// other loop, or off a loop, it is a <see cref="Socket"/> with a <see cref="NetworkStream"/>, so code written
/// against it runs everywhere.
/// </summary>
/// <remarks>
/// One read and one write may be in progress at a time, as with <see cref="NetworkStream"/>. TCP connections have
/// Nagle's algorithm off (<see cref="NoDelay"/>), as asyncio's and uvloop's do. Dispose the connection to close it.
/// </remarks>
public sealed class AioTcpConnection : IDisposable, IAsyncDisposable
{
    private readonly NativeSocket? _native;
    private readonly Socket? _socket;
    private Stream? _stream;
    private int _disposed;

    internal AioTcpConnection(NativeSocket native)
    {
        _native = native;
    }

    internal AioTcpConnection(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Whether the connection's I/O runs on an <see cref="EpollLoop"/> (otherwise it is a <see cref="Socket"/>).</summary>
    public bool UsesEpollLoop => _native is not null;

    /// <summary>The connection as a <see cref="System.IO.Stream"/> (for <c>StreamReader</c>, <c>SslStream</c>, <c>PipeReader.Create</c>, ...). Disposing it closes the connection.</summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed before its stream was first asked for.</exception>
    public Stream Stream => _stream ??= Volatile.Read(ref _disposed) != 0
        ? throw Disposed()
        : _native is not null ? new AioConnectionStream(this) : new NetworkStream(_socket!, ownsSocket: true);

    /// <summary>The local endpoint (<see langword="null"/> for an unnamed Unix-domain socket, or once closed).</summary>
    public EndPoint? LocalEndPoint => _native is not null ? _native.LocalEndPoint : _socket!.LocalEndPoint;

    /// <summary>The peer's endpoint (<see langword="null"/> for an unnamed Unix-domain peer, or once closed).</summary>
    public EndPoint? RemoteEndPoint => _native is not null ? _native.RemoteEndPoint : _socket!.RemoteEndPoint;

    /// <summary>
    /// TCP_NODELAY: whether small writes go out at once (true by default for TCP). A Unix-domain socket has no such
    /// option: it reads <see langword="false"/> and ignores a change, on both loops.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public bool NoDelay
    {
        get
        {
            ThrowIfDisposed();
            if (_native is not null)
            {
                return GetNativeNoDelay(_native);
            }

            return _socket!.AddressFamily != AddressFamily.Unix && _socket.NoDelay;
        }

        set
        {
            ThrowIfDisposed();
            if (_native is not null)
            {
                SetNativeNoDelay(_native, value);
            }
            else if (_socket!.AddressFamily != AddressFamily.Unix)
            {
                _socket.NoDelay = value;
            }
        }
    }

    internal NativeSocket? Native => _native;

    /// <summary>Connects to <paramref name="remoteEndPoint"/> (an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>).</summary>
    /// <param name="remoteEndPoint">Where to connect.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="SocketException">The connection was refused, or another socket error.</exception>
    /// <exception cref="ArgumentException">The endpoint is neither an IP nor a Unix-domain endpoint.</exception>
    public static ValueTask<AioTcpConnection> ConnectAsync(EndPoint remoteEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        if (remoteEndPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unix))
        {
            // Checked here for both loops: a Socket would fail later with a message about address families.
            throw new ArgumentException(
                $"AioTcpConnection connects to an IPEndPoint or a UnixDomainSocketEndPoint; {remoteEndPoint.GetType().Name} ({remoteEndPoint.AddressFamily}) is neither. " +
                "For a host name, use ConnectAsync(host, port).",
                nameof(remoteEndPoint));
        }
        return AioLoop.TryGetCurrent(out AioLoop? loop) && loop is EpollLoop epoll
            ? ConnectNativeAsync(epoll, remoteEndPoint, cancellationToken)
            : ConnectSocketAsync(remoteEndPoint, cancellationToken);
    }

    /// <summary>Connects over TCP to <paramref name="host"/> (a name or an address) and <paramref name="port"/>, trying each address of the name in turn.</summary>
    /// <param name="host">A host name or an IP address.</param>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connection.</returns>
    public static async ValueTask<AioTcpConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"port must be between {IPEndPoint.MinPort} and {IPEndPoint.MaxPort}.");
        }

        IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? parsed)
            ? new[] { parsed }
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(true);
        Exception? last = null;
        foreach (IPAddress address in addresses)
        {
            try
            {
                return await ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(true);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length; 0 at the end of the stream.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="cancellationToken">Cancels the read (it then throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>How many bytes were read.</returns>
    /// <exception cref="IOException">A socket error (the inner exception is the <see cref="SocketException"/>).</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _disposed) != 0 ? ValueTask.FromException<int>(Disposed())
        : _native is not null ? _native.ReceiveAsync(buffer, cancellationToken) : Stream.ReadAsync(buffer, cancellationToken);

    /// <summary>Writes all of <paramref name="buffer"/>; completes once the kernel took the last byte.</summary>
    /// <param name="buffer">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write (it then throws <see cref="OperationCanceledException"/>; part of the bytes may have gone).</param>
    /// <returns>A task that completes when all bytes were written.</returns>
    /// <exception cref="IOException">A socket error (the inner exception is the <see cref="SocketException"/>).</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _disposed) != 0 ? ValueTask.FromException(Disposed())
        : _native is not null ? _native.SendAsync(buffer, cancellationToken) : Stream.WriteAsync(buffer, cancellationToken);

    /// <summary>Closes the sending half: the peer reads the end of the stream, and may still send.</summary>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public void ShutdownSend()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw Disposed();
        }

        if (_native is not null)
        {
            _native.ShutdownSend();
        }
        else
        {
            _socket!.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>Closes the connection; a read or write still pending fails with an <see cref="IOException"/>.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        if (_native is not null)
        {
            _native.Close();
        }
        else if (_stream is not null)
        {
            _stream.Dispose();
        }
        else
        {
            _socket!.Dispose();
        }
    }

    /// <summary>Closes the connection (see <see cref="Dispose"/>).</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <inheritdoc/>
    public override string ToString() => _native is not null ? _native.Describe() : $"AioTcpConnection {LocalEndPoint} -> {RemoteEndPoint}";

    // Checked before the operation, so that both loops name the connection: on the default loop a disposed socket
    // would otherwise fail in NetworkStream's constructor with "not allowed on non-connected sockets".
    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw Disposed();
        }
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(AioTcpConnection), "This AioTcpConnection was disposed.");

    internal static unsafe void SetNativeNoDelay(NativeSocket socket, bool value)
    {
        if (socket.Family == AddressFamily.Unix || socket.IsClosed)
        {
            return;
        }

        int on = value ? 1 : 0;
        if (Libc.SetSockOpt(socket.Fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &on, sizeof(int)) != 0)
        {
            throw SocketErrors.Socket(Libc.Errno);
        }
    }

    private static unsafe bool GetNativeNoDelay(NativeSocket socket)
    {
        if (socket.Family == AddressFamily.Unix || socket.IsClosed)
        {
            return false;
        }

        int on = 0;
        int length = sizeof(int);
        return Libc.GetSockOpt(socket.Fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &on, &length) == 0 && on != 0;
    }

    private static async ValueTask<AioTcpConnection> ConnectSocketAsync(EndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(remoteEndPoint.AddressFamily, SocketType.Stream, remoteEndPoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            if (remoteEndPoint.AddressFamily != AddressFamily.Unix)
            {
                socket.NoDelay = true;
            }

            await socket.ConnectAsync(remoteEndPoint, cancellationToken).ConfigureAwait(true);
            return new AioTcpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async ValueTask<AioTcpConnection> ConnectNativeAsync(EpollLoop loop, EndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        byte[] address = SocketAddresses.Serialize(remoteEndPoint);
        NativeSocket socket = NativeSocket.Create(loop, remoteEndPoint, nameof(AioTcpConnection));
        try
        {
            SetNativeNoDelay(socket, true);
            await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(true);
            return new AioTcpConnection(socket);
        }
        catch
        {
            socket.Close();
            throw;
        }
    }
}
