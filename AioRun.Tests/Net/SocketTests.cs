using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>AioTcpListener and AioTcpConnection with real sockets, on the default loop (where they are .NET sockets) and on the EpollLoop (where the loop does the I/O).</summary>
public class SocketTests
{
    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void The_listener_and_its_connections_use_the_epoll_loop_only_on_it(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await listener.AcceptAsync();
            bool epoll = kind == Loops.Epoll;
            Assert.Equal(epoll, listener.UsesEpollLoop);
            Assert.Equal(epoll, client.UsesEpollLoop);
            Assert.Equal(epoll, server.UsesEpollLoop);
            Assert.True(client.NoDelay);
            Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
            Assert.Equal(server.LocalEndPoint, client.RemoteEndPoint);
            Assert.Equal(((IPEndPoint)listener.LocalEndPoint).Port, ((IPEndPoint)client.RemoteEndPoint!).Port);
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Many_connections_at_once_each_get_their_own_lines_back(string kind)
    {
        const int Clients = 200;
        const int LinesEach = 20;
        int ok = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            AioTask acceptor = Aio.CreateTask(async () =>
            {
                while (true)
                {
                    AioTcpConnection connection = await listener.AcceptAsync(Aio.CancellationToken);
                    _ = Aio.CreateTask(() => Loops.Echo(connection), "echo");
                }
            }, "acceptor");

            var clients = new List<Task<bool>>();
            for (int c = 0; c < Clients; c++)
            {
                int id = c;
                clients.Add(Aio.CreateTask(async () =>
                {
                    await using AioTcpConnection connection = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
                    using var reader = new StreamReader(connection.Stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                    for (int i = 0; i < LinesEach; i++)
                    {
                        string line = $"client {id} line {i}";
                        await connection.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"));
                        if (await reader.ReadLineAsync() != line)
                        {
                            return false;
                        }
                    }

                    return true;
                }, $"client {id}").AsTask());
            }

            bool[] results = await Task.WhenAll(clients);
            acceptor.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await acceptor);
            return results.Count(r => r);
        });

        Assert.Equal(Clients, ok);
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Megabytes_go_both_ways_byte_exact(string kind)
    {
        const int Size = 8 * 1024 * 1024;
        var sent = new byte[Size];
        new Random(11).NextBytes(sent);
        byte[] received = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            AioTask echo = Aio.CreateTask(async () => await Loops.Echo(await accepting, 64 * 1024), "echo");

            var back = new byte[Size];
            // Writing and reading at once: neither side's buffers can hold 8 MB.
            Task writing = Aio.CreateTask(async () =>
            {
                await client.WriteAsync(sent);
                client.ShutdownSend();
            }, "writer").AsTask();
            await Loops.ReadExactly(client, back);
            await writing;
            Assert.Equal(0, await client.ReadAsync(new byte[1])); // the echo closed after the end of stream
            await echo;
            return back;
        });

        Assert.True(sent.AsSpan().SequenceEqual(received), "the bytes that came back differ from those sent");
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_write_to_a_slow_reader_waits_for_it_and_completes_once_it_read(string kind)
    {
        const int Size = 32 * 1024 * 1024; // more than the socket buffers of both ends on loopback
        var data = new byte[Size];
        new Random(7).NextBytes(data);
        (long readBeforeWriteDone, bool exact) = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection reader = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection writer = await accepting;

            Task write = writer.WriteAsync(data).AsTask();
            Assert.False(write.IsCompleted); // the kernel took what it could; the rest waits for the reader

            long readWhenDone = -1;
            var back = new byte[Size];
            int total = 0;
            while (total < Size)
            {
                // A slow reader: small reads, a turn of the loop between them.
                int n = await reader.ReadAsync(back.AsMemory(total, Math.Min(4096, Size - total)));
                Assert.True(n > 0);
                total += n;
                if (write.IsCompleted && readWhenDone < 0)
                {
                    readWhenDone = total;
                }

                await Task.Yield();
            }

            await write;
            return (readWhenDone < 0 ? total : readWhenDone, data.AsSpan().SequenceEqual(back));
        });

        Assert.True(exact, "the slow reader got other bytes than were written");
        // Back-pressure: the write completed only after most of it was read (the kernel buffers hold the rest).
        Assert.True(readBeforeWriteDone > Size / 4, $"the write completed when only {readBeforeWriteDone} bytes were read");
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_peer_that_resets_fails_the_read_with_ConnectionReset_and_the_next_write(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            await peer.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection connection = await accepting;

            ValueTask<int> read = connection.ReadAsync(new byte[100]);
            peer.LingerState = new LingerOption(true, 0); // close sends RST
            peer.Close();

            IOException error = await Assert.ThrowsAsync<IOException>(async () => await read);
            Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
            await Assert.ThrowsAsync<IOException>(async () => await connection.WriteAsync(new byte[10]));
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Cancelling_a_read_or_an_accept_ends_it_with_OperationCanceledException(string kind)
    {
        Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            using var cts = new CancellationTokenSource();
            ValueTask<AioTcpConnection> accept = listener.AcceptAsync(cts.Token);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await accept);

            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;
            using var readCts = new CancellationTokenSource();
            ValueTask<int> read = server.ReadAsync(new byte[10], readCts.Token);
            readCts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);

            // The connection still works after a cancelled read.
            await client.WriteAsync("hi"u8.ToArray());
            var buffer = new byte[2];
            await Loops.ReadExactly(server, buffer);
            Assert.Equal("hi", Encoding.ASCII.GetString(buffer));
        });
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_task_cancelled_by_the_shutdown_while_it_reads_ends_cancelled_and_the_program_exits_0(string kind)
    {
        using var program = new AioProgram(new AioRunOptions { LoopLagWarning = TimeSpan.Zero });
        AioLoop loop = program.UseLoop(Loops.Create(kind));

        // The shutdown's lines would otherwise go to AioLogging.Output, which tests of the AioLogging collection capture meanwhile.
        loop.Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        AioTcpListener? listener = null;
        AioTcpConnection? client = null;
        string? seen = null;
        AioTask main = loop.CreateTask(async () =>
        {
            listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;
            _ = Aio.CreateTask(async () =>
            {
                await Task.Yield();
                Aio.Stop();
            }, "stopper");
            try
            {
                await server.ReadAsync(new byte[10], Aio.CancellationToken);
                seen = "read returned";
            }
            catch (OperationCanceledException)
            {
                seen = "read cancelled";
                throw;
            }
        }, "main");

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        Assert.True(program.RunPendingTasksTillComplete());
        program.WaitForExecutorShutdown();
        program.Close();
        client?.Dispose();
        listener?.Dispose();

        Assert.Equal("read cancelled", seen);
        Assert.True(main.IsCancelled);
        Assert.Equal(0, program.ExitCode(main));
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void Unix_domain_sockets_echo(string kind)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Loops.UnixSocketPath();
        try
        {
            string reply = Loops.Run(kind, async () =>
            {
                using var listener = new AioTcpListener(new UnixDomainSocketEndPoint(path));
                listener.Start();
                Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
                using AioTcpConnection client = await AioTcpConnection.ConnectAsync(new UnixDomainSocketEndPoint(path));
                AioTask echo = Aio.CreateTask(async () => await Loops.Echo(await accepting), "echo");
                Assert.Equal(path, listener.LocalEndPoint.ToString());
                await client.WriteAsync("over a Unix socket\n"u8.ToArray());
                client.ShutdownSend();
                using var reader = new StreamReader(client.Stream);
                string all = await reader.ReadToEndAsync();
                await echo;
                return all;
            });
            Assert.Equal("over a Unix socket\n", reply);
        }
        finally
        {
            Loops.DeleteQuietly(path);
        }
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void The_streams_synchronous_Read_and_Write_work_off_the_loop_and_on_the_EpollLoop_are_refused_on_it(string kind)
    {
        byte[] sent = new byte[256 * 1024];
        new Random(11).NextBytes(sent);
        byte[] received = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            AioTask echo = Aio.CreateTask(async () => await Loops.Echo(await accepting), "echo");
            Stream stream = client.Stream;
            if (kind == Loops.Epoll)
            {
                // On the loop's own thread a blocking call would wait for I/O that only this thread can do.
                var read = Assert.Throws<InvalidOperationException>(() => stream.Read(new byte[1], 0, 1));
                Assert.Contains("would block the EpollLoop's thread", read.Message, StringComparison.Ordinal);
                Assert.Throws<InvalidOperationException>(() => stream.Write(new byte[1], 0, 1));
            }

            // A thread-pool thread writes and reads synchronously while the loop does the I/O (and echoes).
            byte[] back = await Task.Run(() =>
            {
                var writer = new Thread(() =>
                {
                    stream.Write(sent, 0, sent.Length / 2);
                    stream.Write(sent.AsSpan(sent.Length / 2));
                });
                writer.Start();
                var buffer = new byte[sent.Length];
                int total = 0;
                while (total < buffer.Length)
                {
                    int n = total % 2 == 0 ? stream.Read(buffer, total, buffer.Length - total) : stream.Read(buffer.AsSpan(total));
                    Assert.True(n > 0, $"end of stream after {total} bytes");
                    total += n;
                }

                writer.Join();
                return buffer;
            });
            client.ShutdownSend();
            await echo;
            return back;
        });

        Assert.True(sent.AsSpan().SequenceEqual(received), "the echoed bytes differ");
    }

    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void A_pipe_reader_and_writer_work_on_the_connection_stream(string kind)
    {
        string reply = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            AioTask echo = Aio.CreateTask(async () => await Loops.Echo(await accepting), "echo");

            PipeWriter writer = PipeWriter.Create(client.Stream, new StreamPipeWriterOptions(leaveOpen: true));
            PipeReader reader = PipeReader.Create(client.Stream, new StreamPipeReaderOptions(leaveOpen: true));
            await writer.WriteAsync(Encoding.ASCII.GetBytes("through pipes"));
            var text = new StringBuilder();
            while (text.Length < "through pipes".Length)
            {
                ReadResult result = await reader.ReadAsync();
                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    text.Append(Encoding.ASCII.GetString(segment.Span));
                }

                reader.AdvanceTo(result.Buffer.End);
            }

            client.ShutdownSend();
            await echo;
            return text.ToString();
        });

        Assert.Equal("through pipes", reply);
    }

    [LinuxFact]
    public void On_the_epoll_loop_a_task_waiting_on_a_socket_says_so_in_the_task_report()
    {
        string report = Loops.Run(Loops.Epoll, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;
            AioTask reading = Aio.CreateTask(async () => await server.ReadAsync(new byte[10], Aio.CancellationToken), "reader");
            AioTask accepting2 = Aio.CreateTask(async () => await listener.AcceptAsync(Aio.CancellationToken), "acceptor");
            await Task.Yield();
            await Task.Yield();
            var writer = new StringWriter();
            AioLoop.Current.WriteTaskReport(writer);
            reading.Cancel();
            accepting2.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reading);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await accepting2);
            return writer.ToString();
        });

        Assert.Contains("waiting on a read of AioTcpConnection 127.0.0.1:", report);
        Assert.Contains("waiting on an accept of AioTcpListener 127.0.0.1:", report);
    }

    [LinuxTheory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void No_file_descriptor_is_left_open_after_10000_connections(string kind)
    {
        (int before, int after) = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            // Settle what the first connection opens once (the runtime's own epoll and the like) before counting.
            await OneConnection(listener);
            int before = Loops.OpenFileDescriptors();
            for (int i = 0; i < 10_000; i++)
            {
                await OneConnection(listener);
            }

            if (AioLoop.Current is EpollLoop epoll)
            {
                Assert.Equal(1, epoll.RegisteredSockets); // only the listener is left in the epoll set
            }

            return (before, Loops.OpenFileDescriptors());
        });

        // Other tests run in this process meanwhile and open descriptors of their own: a leak here would be 10,000
        // or 20,000 of them, far beyond that noise.
        Assert.True(after - before < 100, $"{before} descriptors open before, {after} after 10,000 connections");

        static async Task OneConnection(AioTcpListener listener)
        {
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;
            await client.WriteAsync(new byte[] { 1 });
            Assert.Equal(1, await server.ReadAsync(new byte[1]));
        }
    }
}
