using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Threading;
using AioRun.Epoll;

namespace AioRun;

/// <summary>
/// An <see cref="AioLoop"/> for Linux that waits in <c>epoll_wait</c> (with the next timer as its timeout) and does
/// the socket I/O of <see cref="AioTcpListener"/> and <see cref="AioTcpConnection"/> itself, on the loop thread:
/// <c>recv</c>, <c>send</c>, <c>accept</c> and <c>connect</c> are tried at once and wait for epoll only when the
/// kernel says they would block, and every completion runs on the loop thread with no hop to another thread. Posts
/// from other threads wake it through an <c>eventfd</c>. Everything else (tasks, timers, the executor, signals,
/// the shutdown) is the default loop's.
/// </summary>
/// <remarks>Choose it with <c>[AioRunEntry(LoopType = typeof(EpollLoop))]</c>. On other systems the constructor throws
/// <see cref="PlatformNotSupportedException"/>, so a program that asks for it fails at start-up, saying why.</remarks>
public sealed unsafe class EpollLoop : AioLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;

    // epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes, data at 8) elsewhere.
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly int _eventFd;
    private readonly byte* _events;
    private NativeSocket?[] _sockets = new NativeSocket?[64];
    private int[] _free = new int[64];
    private int _freeCount;
    private int _slotCount;
    private int _wakePending;
    private int _released;

    /// <summary>Creates an epoll loop on the system clock.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public EpollLoop()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates an epoll loop whose timers run on <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock of the loop's timers.</param>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public EpollLoop(TimeProvider timeProvider)
        : base(CheckPlatform(timeProvider))
    {
        _epoll = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new Win32Exception(Libc.Errno, "EpollLoop could not create its epoll instance (epoll_create1)");
        }

        _eventFd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_eventFd < 0)
        {
            int errno = Libc.Errno;
            Libc.Close(_epoll);
            throw new Win32Exception(errno, "EpollLoop could not create its wake-up eventfd");
        }

        if (Control(_eventFd, Libc.EPOLLIN, WakeData) != 0)
        {
            int errno = Libc.Errno;
            Libc.Close(_eventFd);
            Libc.Close(_epoll);
            throw new Win32Exception(errno, "EpollLoop could not watch its eventfd (epoll_ctl)");
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * s_eventSize));
        _pollsIo = true;
        Closed += static (sender, _) => ((EpollLoop)sender!).Release();
    }

    /// <summary>Operations (reads, writes, accepts, connects) waiting for epoll; busy turns poll only while there are some.</summary>
    internal int WaitingOperations { get; set; }

    /// <summary>How many sockets are registered with epoll now (for tests).</summary>
    internal int RegisteredSockets => _slotCount - _freeCount;

    private static TimeProvider CheckPlatform(TimeProvider timeProvider)
    {
        // Before the base constructor runs, so an unsupported system leaves nothing registered behind.
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(UnsupportedPlatformMessage(RuntimeInformation.OSDescription));
        }

        return timeProvider;
    }

    /// <summary>What the constructor says off Linux (a method of its own so that a test on Linux can read it).</summary>
    internal static string UnsupportedPlatformMessage(string system) =>
        $"EpollLoop needs Linux (it waits in epoll_wait), but this is {system}. " +
        "Use the default loop here: remove LoopType = typeof(EpollLoop), or choose the loop at run time.";

    // ------------------------------------------------------------------ the wait

    private protected override void ResetWake()
    {
        // The eventfd stays readable until the loop reads it: a wake-up cannot be lost, so there is nothing to reset.
    }

    private protected override void BlockUntilWoken(int timeoutMs) => Poll(timeoutMs);

    private protected override void PollIo()
    {
        if (WaitingOperations > 0)
        {
            Poll(0);
        }
    }

    private protected override void SignalWake()
    {
        // One write until the loop drains the eventfd is enough; the loop clears the flag after it drained it.
        if (Interlocked.Exchange(ref _wakePending, 1) == 0 && Volatile.Read(ref _released) == 0)
        {
            ulong one = 1;
            Libc.Write(_eventFd, &one, sizeof(ulong));
        }
    }

    private void Poll(int timeoutMs)
    {
        if (Volatile.Read(ref _released) != 0)
        {
            return;
        }

        int n = Libc.EpollWait(_epoll, _events, MaxEvents, timeoutMs);
        if (n < 0)
        {
            int errno = Libc.Errno;
            if (errno == Libc.EINTR)
            {
                return; // a signal: the loop turns and waits again
            }

            throw new Win32Exception(errno, "epoll_wait failed");
        }

        for (int i = 0; i < n; i++)
        {
            byte* e = _events + (i * s_eventSize);
            uint events = *(uint*)e;
            ulong data = Unsafe.ReadUnaligned<ulong>(e + s_dataOffset);
            if (data == WakeData)
            {
                // Drain, then re-arm: a poster that still saw the flag set did not write, but queued its work before
                // that, and the loop takes the queue after this wait. (Clearing first would let a write land between
                // the clear and the drain, leave the flag set over an empty eventfd, and lose every later wake-up.)
                // The exchange is a full fence: the loop's next look at its queue cannot move before it.
                ulong count;
                Libc.Read(_eventFd, &count, sizeof(ulong));
                Interlocked.Exchange(ref _wakePending, 0);
                continue;
            }

            int slot = (int)(uint)data;
            NativeSocket? socket = (uint)slot < (uint)_sockets.Length ? _sockets[slot] : null;
            if (socket is not null && socket.Generation == (uint)(data >> 32))
            {
                socket.OnReady(events);
            }
        }
    }

    /// <summary>Queues an operation's retry on the loop thread (from <see cref="NativeSocket.OnReady"/>).</summary>
    internal void QueueOnLoop(Action<object?> callback, object? state) => EnqueueReady(callback, state);

    // ------------------------------------------------------------------ registrations

    /// <summary>
    /// Registers <paramref name="socket"/> with epoll, edge-triggered for reading and writing, once: the first time an
    /// operation would block. From then on readiness arrives as edges, with no epoll_ctl per operation.
    /// </summary>
    internal void Register(NativeSocket socket)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (_slotCount == _sockets.Length)
            {
                Array.Resize(ref _sockets, _sockets.Length * 2);
                Array.Resize(ref _free, _free.Length * 2);
            }

            slot = _slotCount++;
        }

        _sockets[slot] = socket;
        socket.Slot = slot;
        socket.Generation++;
        ulong data = ((ulong)socket.Generation << 32) | (uint)slot;
        if (Control(socket.Fd, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET, data) != 0)
        {
            int errno = Libc.Errno;
            Unregister(socket);
            throw SocketErrors.Socket(errno);
        }
    }

    /// <summary>Forgets <paramref name="socket"/>'s slot (closing its fd removes it from epoll).</summary>
    internal void Unregister(NativeSocket socket)
    {
        int slot = socket.Slot;
        if (slot >= 0 && ReferenceEquals(_sockets[slot], socket))
        {
            _sockets[slot] = null;
            _free[_freeCount++] = slot;
        }

        socket.Slot = -1;
    }

    private int Control(int fd, uint events, ulong data)
    {
        byte* e = stackalloc byte[16];
        *(uint*)e = events;
        Unsafe.WriteUnaligned(e + s_dataOffset, data);
        return Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, fd, e);
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        Libc.Close(_eventFd);
        Libc.Close(_epoll);
        NativeMemory.Free(_events);
    }
}
