using System.Diagnostics;
using System.Globalization;
using System.Net;
using AioRun;

namespace AioRun.Benchmarks.Echo;

/// <summary>
/// The load generator of the echo benchmark, a process of its own (<c>echo-client PORT CONNECTIONS WARMUP_S MEASURE_S</c>):
/// every connection sends a 64-byte line and waits for it to come back, again and again (one message in flight per
/// connection). It prints <c>WARM</c> when the measured window starts and <c>DONE messages p50_us p99_us</c> when it
/// ends. The same generator drives every subject, on an EpollLoop (the cheapest client AioRun has, so the server,
/// not the client, is what saturates).
/// </summary>
internal static class EchoClient
{
    public const int MessageSize = 64;

    public static int Run(string[] args)
    {
        int port = int.Parse(args[0], CultureInfo.InvariantCulture);
        int connections = int.Parse(args[1], CultureInfo.InvariantCulture);
        double warmup = double.Parse(args[2], CultureInfo.InvariantCulture);
        double measure = double.Parse(args[3], CultureInfo.InvariantCulture);
        using var loop = new EpollLoop();
        loop.RunUntilComplete(loop.CreateTask(() => Drive(port, connections, warmup, measure), "client"));
        return 0;
    }

    private static async Task Drive(int port, int connections, double warmup, double measure)
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var clients = new AioTcpConnection[connections];
        for (int i = 0; i < connections; i++)
        {
            clients[i] = await AioTcpConnection.ConnectAsync(endPoint);
        }

        var state = new State();
        var workers = new Task[connections];
        for (int i = 0; i < connections; i++)
        {
            AioTcpConnection connection = clients[i];
            workers[i] = Aio.CreateTask(() => PingPong(connection, state), $"connection {i}").AsTask();
        }

        await Aio.Sleep(warmup);
        state.Measuring = true;
        Console.WriteLine("WARM");
        Console.Out.Flush();
        long start = Stopwatch.GetTimestamp();
        await Aio.Sleep(measure);
        state.Measuring = false;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        state.Stop = true;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DONE {state.Messages} {seconds:F4} {state.Percentile(0.50)} {state.Percentile(0.99)}"));
        Console.Out.Flush();
        await Task.WhenAll(workers);
        foreach (AioTcpConnection client in clients)
        {
            client.Dispose();
        }
    }

    private static async Task PingPong(AioTcpConnection connection, State state)
    {
        byte[] message = new byte[MessageSize];
        Array.Fill(message, (byte)'x');
        message[^1] = (byte)'\n';
        byte[] reply = new byte[MessageSize];
        while (!state.Stop)
        {
            long sent = Stopwatch.GetTimestamp();
            await connection.WriteAsync(message);
            int got = 0;
            while (got < MessageSize)
            {
                int n = await connection.ReadAsync(reply.AsMemory(got));
                if (n == 0)
                {
                    throw new IOException("the echo server closed the connection");
                }

                got += n;
            }

            if (state.Measuring)
            {
                state.Record(Stopwatch.GetTimestamp() - sent);
            }
        }
    }

    private sealed class State
    {
        private const int Buckets = 200_000; // 1 µs each, up to 200 ms
        private readonly long[] _histogram = new long[Buckets + 1];
        private readonly double _ticksPerMicrosecond = Stopwatch.Frequency / 1e6;

        public bool Measuring { get; set; }

        public bool Stop { get; set; }

        public long Messages { get; private set; }

        public void Record(long ticks)
        {
            Messages++;
            long us = (long)(ticks / _ticksPerMicrosecond);
            _histogram[Math.Min(us, Buckets)]++;
        }

        public long Percentile(double p)
        {
            long target = (long)Math.Ceiling(Messages * p);
            long seen = 0;
            for (int i = 0; i <= Buckets; i++)
            {
                seen += _histogram[i];
                if (seen >= target && seen > 0)
                {
                    return i;
                }
            }

            return Buckets;
        }
    }
}
