using System.IO;
using System.Net.Sockets;

namespace AioRun.Epoll;

/// <summary>Linux errno values as the exceptions .NET's own sockets throw for them.</summary>
internal static class SocketErrors
{
    public static SocketError ToSocketError(int errno) => errno switch
    {
        1 or 13 => SocketError.AccessDenied, // EPERM, EACCES
        2 => SocketError.AddressNotAvailable, // ENOENT: a Unix-domain path that does not exist
        9 => SocketError.OperationAborted, // EBADF
        22 => SocketError.InvalidArgument,
        23 or 24 => SocketError.TooManyOpenSockets, // ENFILE, EMFILE
        32 => SocketError.Shutdown, // EPIPE
        98 => SocketError.AddressAlreadyInUse,
        99 => SocketError.AddressNotAvailable,
        100 => SocketError.NetworkDown,
        101 => SocketError.NetworkUnreachable,
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        105 => SocketError.NoBufferSpaceAvailable,
        107 => SocketError.NotConnected,
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        113 => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };

    public static SocketException Socket(int errno) => new((int)ToSocketError(errno));

    /// <summary>What a stream read or write throws, as <see cref="NetworkStream"/> does: an IOException around the SocketException.</summary>
    public static IOException Stream(int errno, string operation) =>
        new($"Unable to {operation} the transport connection: {Socket(errno).Message}", Socket(errno));

    public static IOException Aborted(string operation) =>
        new($"Unable to {operation} the transport connection: the connection was closed while the operation was pending.", new SocketException((int)SocketError.OperationAborted));
}
