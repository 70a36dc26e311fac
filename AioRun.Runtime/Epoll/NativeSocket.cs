using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun.Epoll;

/// <summary>
/// A non-blocking socket file descriptor driven by an <see cref="EpollLoop"/>: one read-side operation (recv or
/// accept) and one write-side operation (send or connect) at a time, tried at once and retried on the socket's
/// epoll edges. The readiness flags remember what the last attempt or edge said, so a socket known to have nothing
/// to read waits for its edge without a recv that would fail with EAGAIN.
/// </summary>
internal sealed unsafe class NativeSocket
{
    private static readonly Action<object?> s_closeOnLoop = static state => ((NativeSocket)state!).CloseOnLoop();

    private RecvOp? _recv;
    private SendOp? _send;
    private AcceptOp? _accept;
    private ConnectOp? _connect;
    private SocketOp? _readSide;
    private SocketOp? _writeSide;
    private EndPoint? _local;
    private EndPoint? _remote;
    private int _closing;

    public NativeSocket(EpollLoop loop, int fd, AddressFamily family, string kind)
    {
        Loop = loop;
        Fd = fd;
        Family = family;
        Kind = kind;
    }

    public EpollLoop Loop { get; }

    /// <summary>A new non-blocking stream socket for <paramref name="endPoint"/>'s address family.</summary>
    public static NativeSocket Create(EpollLoop loop, EndPoint endPoint, string kind)
    {
        int fd = Libc.Socket(SocketAddresses.NativeFamily(endPoint), Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw SocketErrors.Socket(Libc.Errno);
        }

        return new NativeSocket(loop, fd, endPoint.AddressFamily, kind);
    }

    /// <summary>The descriptor; -1 once closed.</summary>
    public int Fd { get; private set; }

    public AddressFamily Family { get; }

    /// <summary>What the socket is, for messages: "AioTcpConnection" or "AioTcpListener".</summary>
    public string Kind { get; }

    public bool IsClosed => Volatile.Read(ref _closing) != 0;

    /// <summary>The epoll slot, -1 until the first operation that would block registers the socket.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>Told apart from an earlier socket in the same slot (epoll's data of an event that was already queued).</summary>
    public uint Generation { get; set; }

    public bool Readable { get; set; } = true;

    /// <summary>
    /// The peer closed its side or the socket has an error (an edge said so): reads stay possible for good, whatever
    /// a short read suggests, since no further edge will come for it.
    /// </summary>
    public bool HungUp { get; private set; }

    public bool Writable { get; set; } = true;

    public EndPoint? LocalEndPoint => _local ??= SocketAddresses.Query(this, peer: false);

    public EndPoint? RemoteEndPoint => _remote ??= SocketAddresses.Query(this, peer: true);

    public void EnsureRegistered()
    {
        if (Slot < 0)
        {
            Loop.Register(this);
        }
    }

    /// <summary>An epoll edge for this socket (loop thread, inside the loop's poll): retry what waits on it in this turn.</summary>
    public void OnReady(uint events)
    {
        if ((events & (Libc.EPOLLERR | Libc.EPOLLHUP | Libc.EPOLLRDHUP)) != 0)
        {
            HungUp = true;
        }

        if ((events & (Libc.EPOLLIN | Libc.EPOLLERR | Libc.EPOLLHUP | Libc.EPOLLRDHUP)) != 0)
        {
            Readable = true;
            if (_readSide is { IsWaiting: true })
            {
                Loop.QueueOnLoop(SocketOp.Retry, _readSide);
            }
        }

        if ((events & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
        {
            Writable = true;
            if (_writeSide is { IsWaiting: true })
            {
                Loop.QueueOnLoop(SocketOp.Retry, _writeSide);
            }
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        _recv ??= new RecvOp(this);
        _readSide = _recv;
        return _recv.Run(buffer, cancellationToken);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        _send ??= new SendOp(this);
        _writeSide = _send;
        return _send.Run(buffer, cancellationToken);
    }

    public ValueTask<int> AcceptAsync(CancellationToken cancellationToken)
    {
        _accept ??= new AcceptOp(this);
        _readSide = _accept;
        return _accept.Run(cancellationToken);
    }

    public ValueTask ConnectAsync(byte[] address, CancellationToken cancellationToken)
    {
        _connect ??= new ConnectOp(this);
        _writeSide = _connect;
        return _connect.Run(address, cancellationToken);
    }

    public void ShutdownSend()
    {
        if (!IsClosed && Libc.Shutdown(Fd, Libc.SHUT_WR) != 0)
        {
            throw SocketErrors.Socket(Libc.Errno);
        }
    }

    /// <summary>Closes the descriptor; operations still waiting fail. Any thread: off the loop thread of a running loop, the close runs on the loop.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        if ((AioLoop.TryGetCurrent(out AioLoop? current) && ReferenceEquals(current, Loop)) || !Loop.IsRunning)
        {
            CloseOnLoop();
        }
        else
        {
            Loop.CallSoonThreadsafe(s_closeOnLoop, this);
        }
    }

    private void CloseOnLoop()
    {
        int fd = Fd;
        if (fd < 0)
        {
            return;
        }

        Loop.Unregister(this);
        Fd = -1;
        Libc.Close(fd); // also takes it out of the epoll set
        _recv?.Abort(static () => SocketErrors.Aborted("read data from"));
        _accept?.Abort(static () => new ObjectDisposedException(nameof(AioTcpListener), "The listener was stopped while an accept was pending."));
        _send?.Abort(static () => SocketErrors.Aborted("write data to"));
        _connect?.Abort(static () => SocketErrors.Aborted("write data to"));
    }

    /// <summary>For the task report and messages: "AioTcpConnection 127.0.0.1:5000 -> 127.0.0.1:40112 (fd 9)".</summary>
    public string Describe()
    {
        try
        {
            return Kind == "AioTcpListener"
                ? $"{Kind} {LocalEndPoint} (fd {Fd})"
                : $"{Kind} {LocalEndPoint} -> {RemoteEndPoint} (fd {Fd})";
        }
        catch (Exception)
        {
            return $"{Kind} (fd {Fd})";
        }
    }

    private sealed class RecvOp(NativeSocket socket) : SocketOp(socket)
    {
        private Memory<byte> _buffer;

        protected override string Name => "a read";

        protected override bool MayBeReady => Socket.Readable;

        public ValueTask<int> Run(Memory<byte> buffer, CancellationToken token)
        {
            ThrowIfBusy();
            _buffer = buffer;
            return Start(token);
        }

        protected override bool TryRun(out int result, out Exception? error)
        {
            result = 0;
            error = null;
            NativeSocket s = Socket;
            if (s.Fd < 0)
            {
                error = SocketErrors.Aborted("read data from");
                return true;
            }

            while (true)
            {
                nint n;
                if (_buffer.Length == 0)
                {
                    // A zero-byte read waits until data is there, without taking any (SslStream and pipes use it).
                    byte peek;
                    n = Libc.Recv(s.Fd, &peek, 1, 0x2 /* MSG_PEEK */);
                    if (n >= 0)
                    {
                        return true;
                    }
                }
                else
                {
                    fixed (byte* p = _buffer.Span)
                    {
                        n = Libc.Recv(s.Fd, p, (nuint)_buffer.Length, 0);
                    }

                    if (n >= 0)
                    {
                        // A short read took all there was; the next bytes bring an edge. (The end of the stream, or an
                        // error, brings no further edge: once the peer hung up, the socket stays readable.)
                        if (n > 0 && n < _buffer.Length && !s.HungUp)
                        {
                            s.Readable = false;
                        }

                        result = (int)n;
                        _buffer = default;
                        return true;
                    }
                }

                int errno = Libc.Errno;
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno == Libc.EAGAIN)
                {
                    s.Readable = false;
                    return false;
                }

                _buffer = default;
                error = SocketErrors.Stream(errno, "read data from");
                return true;
            }
        }
    }

    private sealed class SendOp(NativeSocket socket) : SocketOp(socket)
    {
        private ReadOnlyMemory<byte> _buffer;
        private int _sent;

        protected override string Name => "a write";

        protected override bool MayBeReady => Socket.Writable;

        public ValueTask Run(ReadOnlyMemory<byte> buffer, CancellationToken token)
        {
            ThrowIfBusy();
            _buffer = buffer;
            _sent = 0;
            ValueTask<int> sent = Start(token);
            if (sent.IsCompletedSuccessfully)
            {
                return default;
            }

            return sent.IsCompleted ? new ValueTask(sent.AsTask()) : new ValueTask(this, Version);
        }

        protected override bool TryRun(out int result, out Exception? error)
        {
            result = 0;
            error = null;
            NativeSocket s = Socket;
            if (s.Fd < 0)
            {
                error = SocketErrors.Aborted("write data to");
                return true;
            }

            // Until the kernel says EAGAIN: only that promises an edge when the buffer drains again.
            while (_sent < _buffer.Length)
            {
                nint n;
                fixed (byte* p = _buffer.Span)
                {
                    n = Libc.Send(s.Fd, p + _sent, (nuint)(_buffer.Length - _sent), Libc.MSG_NOSIGNAL);
                }

                if (n >= 0)
                {
                    _sent += (int)n;
                    continue;
                }

                int errno = Libc.Errno;
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno == Libc.EAGAIN)
                {
                    s.Writable = false;
                    return false;
                }

                _buffer = default;
                error = SocketErrors.Stream(errno, "write data to");
                return true;
            }

            result = _sent;
            _buffer = default;
            return true;
        }
    }

    private sealed class AcceptOp(NativeSocket socket) : SocketOp(socket)
    {
        protected override string Name => "an accept";

        protected override string Limit => "one accept at a time on the EpollLoop";

        protected override bool MayBeReady => Socket.Readable;

        public ValueTask<int> Run(CancellationToken token)
        {
            ThrowIfBusy();
            return Start(token);
        }

        protected override bool TryRun(out int result, out Exception? error)
        {
            result = -1;
            error = null;
            NativeSocket s = Socket;
            if (s.Fd < 0)
            {
                error = new ObjectDisposedException(s.Kind, "The listener was stopped.");
                return true;
            }

            while (true)
            {
                int fd = Libc.Accept4(s.Fd, null, null, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
                if (fd >= 0)
                {
                    result = fd;
                    return true;
                }

                int errno = Libc.Errno;
                if (errno == Libc.EINTR || errno == 103 /* ECONNABORTED: that client gave up; take the next */)
                {
                    continue;
                }

                if (errno == Libc.EAGAIN)
                {
                    s.Readable = false;
                    return false;
                }

                error = SocketErrors.Socket(errno);
                return true;
            }
        }
    }

    private sealed class ConnectOp(NativeSocket socket) : SocketOp(socket)
    {
        private byte[]? _address;
        private bool _inProgress;

        protected override string Name => "a connect";

        protected override bool MayBeReady => !_inProgress || Socket.Writable;

        public ValueTask Run(byte[] address, CancellationToken token)
        {
            ThrowIfBusy();
            _address = address;
            _inProgress = false;
            ValueTask<int> done = Start(token);
            return done.IsCompletedSuccessfully ? default : done.IsCompleted ? new ValueTask(done.AsTask()) : new ValueTask(this, Version);
        }

        protected override bool TryRun(out int result, out Exception? error)
        {
            result = 0;
            error = null;
            NativeSocket s = Socket;
            if (s.Fd < 0)
            {
                error = new ObjectDisposedException(s.Kind);
                return true;
            }

            int errno;
            if (!_inProgress)
            {
                int rc;
                fixed (byte* a = _address)
                {
                    rc = Libc.Connect(s.Fd, a, _address!.Length);
                }

                if (rc == 0)
                {
                    return true;
                }

                errno = Libc.Errno;
                if (errno == Libc.EINPROGRESS || errno == Libc.EINTR || errno == Libc.EAGAIN)
                {
                    // EAGAIN: a Unix-domain listener's backlog is full; wait for writability as for TCP.
                    _inProgress = errno != Libc.EAGAIN;
                    s.Writable = false;
                    return false;
                }
            }
            else
            {
                int soError = 0;
                int length = sizeof(int);
                if (Libc.GetSockOpt(s.Fd, Libc.SOL_SOCKET, Libc.SO_ERROR, &soError, &length) != 0)
                {
                    soError = Libc.Errno;
                }

                if (soError == 0)
                {
                    return true;
                }

                errno = soError;
            }

            error = SocketErrors.Socket(errno);
            return true;
        }
    }
}
