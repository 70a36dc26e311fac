using System.Net;
using System.Net.Sockets;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>The loops AioRun's sockets run on: every socket test runs on both where the system has epoll.</summary>
public static class Loops
{
    public const string Default = "default";
    public const string Epoll = "epoll";

    public static TheoryData<string> Both
    {
        get
        {
            var data = new TheoryData<string> { Default };
            if (OperatingSystem.IsLinux())
            {
                data.Add(Epoll);
            }

            return data;
        }
    }

    public static AioLoop Create(string kind) => kind == Epoll ? new EpollLoop() : new AioLoop();

    /// <summary>Runs <paramref name="work"/> as a task on a new loop of <paramref name="kind"/> (real time) and closes the loop.</summary>
    public static void Run(string kind, Func<Task> work)
    {
        using AioLoop loop = Create(kind);
        loop.RunUntilComplete(loop.CreateTask(work, "test"));
    }

    public static T Run<T>(string kind, Func<Task<T>> work)
    {
        using AioLoop loop = Create(kind);
        return loop.RunUntilComplete(loop.CreateTask(work, "test"));
    }

    public static AioTcpListener StartLoopback()
    {
        var listener = new AioTcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    /// <summary>One connection to <paramref name="listener"/> (at <paramref name="to"/>, else its own endpoint): both ends.</summary>
    public static async Task<(AioTcpConnection Client, AioTcpConnection Server)> ConnectPair(AioTcpListener listener, EndPoint? to = null)
    {
        ValueTask<AioTcpConnection> accepting = listener.AcceptAsync();
        AioTcpConnection client = await AioTcpConnection.ConnectAsync(to ?? listener.LocalEndPoint);
        return (client, await accepting);
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length, or fails at an early end of stream.</summary>
    public static async Task ReadExactly(AioTcpConnection connection, Memory<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await connection.ReadAsync(buffer[total..]);
            Assert.True(n > 0, $"end of stream after {total} of {buffer.Length} bytes");
            total += n;
        }
    }

    /// <summary>Echoes until the end of the stream, then closes.</summary>
    public static async Task Echo(AioTcpConnection connection, int bufferSize = 16 * 1024)
    {
        using (connection)
        {
            var buffer = new byte[bufferSize];
            while (true)
            {
                int n = await connection.ReadAsync(buffer, Aio.CancellationToken);
                if (n == 0)
                {
                    return;
                }

                await connection.WriteAsync(buffer.AsMemory(0, n), Aio.CancellationToken);
            }
        }
    }

    public static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    public static string UnixSocketPath() => Path.Combine(Path.GetTempPath(), $"aiorun-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");

    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
