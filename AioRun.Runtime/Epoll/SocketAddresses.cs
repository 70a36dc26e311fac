using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AioRun.Epoll;

/// <summary>Linux <c>sockaddr_in</c>, <c>sockaddr_in6</c> and <c>sockaddr_un</c>, to and from .NET endpoints.</summary>
internal static unsafe class SocketAddresses
{
    private const int MaxLength = 128; // sizeof(struct sockaddr_storage)

    public static int NativeFamily(EndPoint endPoint) => endPoint.AddressFamily switch
    {
        AddressFamily.InterNetwork => Libc.AF_INET,
        AddressFamily.InterNetworkV6 => Libc.AF_INET6,
        AddressFamily.Unix => Libc.AF_UNIX,
        _ => throw new ArgumentException(
            $"AioRun's sockets take an IPEndPoint or a UnixDomainSocketEndPoint; {endPoint.GetType().Name} ({endPoint.AddressFamily}) is neither.",
            nameof(endPoint)),
    };

    public static byte[] Serialize(EndPoint endPoint)
    {
        switch (endPoint)
        {
            case IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetwork:
            {
                var bytes = new byte[16];
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, Libc.AF_INET);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)ip.Port);
                ip.Address.TryWriteBytes(bytes.AsSpan(4, 4), out _);
                return bytes;
            }

            case IPEndPoint ip6 when ip6.AddressFamily == AddressFamily.InterNetworkV6:
            {
                var bytes = new byte[28];
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, Libc.AF_INET6);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)ip6.Port);
                ip6.Address.TryWriteBytes(bytes.AsSpan(8, 16), out _);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), (uint)ip6.Address.ScopeId);
                return bytes;
            }

            default:
            {
                NativeFamily(endPoint);
                // .NET serializes a Unix-domain endpoint in the platform's own sockaddr_un layout.
                SocketAddress address = endPoint.Serialize();
                var bytes = new byte[address.Size];
                for (int i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = address[i];
                }

                return bytes;
            }
        }
    }

    /// <summary>getsockname or getpeername; <see langword="null"/> for an unnamed Unix-domain socket or a closed one.</summary>
    public static EndPoint? Query(NativeSocket socket, bool peer)
    {
        int fd = socket.Fd;
        if (fd < 0)
        {
            return null;
        }

        byte* buffer = stackalloc byte[MaxLength];
        int length = MaxLength;
        int rc = peer ? Libc.GetPeerName(fd, buffer, &length) : Libc.GetSockName(fd, buffer, &length);
        if (rc != 0)
        {
            return null;
        }

        return Parse(new ReadOnlySpan<byte>(buffer, Math.Min(length, MaxLength)));
    }

    public static EndPoint? Parse(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        int family = BinaryPrimitives.ReadUInt16LittleEndian(address);
        switch (family)
        {
            case Libc.AF_INET when address.Length >= 8:
                return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address.Slice(2)));
            case Libc.AF_INET6 when address.Length >= 28:
                return new IPEndPoint(
                    new IPAddress(address.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(address.Slice(24))),
                    BinaryPrimitives.ReadUInt16BigEndian(address.Slice(2)));
            case Libc.AF_UNIX when address.Length > 2:
            {
                ReadOnlySpan<byte> path = address.Slice(2);
                if (path[0] != 0)
                {
                    int end = path.IndexOf((byte)0);
                    path = end >= 0 ? path.Slice(0, end) : path;
                }

                return new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(path));
            }

            default:
                return null;
        }
    }
}
