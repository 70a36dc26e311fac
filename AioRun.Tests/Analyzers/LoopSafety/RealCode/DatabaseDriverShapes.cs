// The shapes of the code that AIO001–AIO004 met in two database drivers (MySqlConnector and Npgsql), rewritten small
// and in our own words: one method per case, the line the rule is judged on marked with "case: <name>". labels.tsv
// says, for every diagnostic the rules reported on the real code, which case stands for it and what it should do now.
using System.Data.Common;
using System.IO.Compression;
using System.IO.Pipes;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace RealCode.Drivers;

internal enum IOBehavior
{
    Synchronous,
    Asynchronous,
}

internal sealed class EnumModeDriver
{
    private readonly SemaphoreSlim _sessions = new(10);
    private readonly Stream _stream = Stream.Null;

    public async ValueTask AcquireAsync(IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        if (ioBehavior == IOBehavior.Asynchronous)
            await _sessions.WaitAsync(cancellationToken).ConfigureAwait(false);
        else
            _sessions.Wait(cancellationToken); // case: enum-mode-if-else
    }

    public async ValueTask<IPAddress[]> ResolveAsync(string host, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        var addresses = ioBehavior == IOBehavior.Asynchronous
            ? await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false)
            : Dns.GetHostAddresses(host); // case: enum-mode-ternary
        return addresses;
    }

    public async ValueTask ConnectAsync(TcpClient client, IPAddress address, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        if (ioBehavior == IOBehavior.Asynchronous)
        {
            await client.ConnectAsync(address, 3306, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (OperatingSystem.IsWindows())
            {
                client.Connect(address, 3306); // case: enum-mode-nested-else
            }
            else
            {
                client.SendTimeout = 1000;
                client.Connect(address, 3306);
            }
        }
    }

    public async ValueTask AuthenticateAsync(SslStream stream, string host, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        if (ioBehavior == IOBehavior.Synchronous)
            stream.AuthenticateAsClient(host); // case: enum-mode-inverted
        else
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask OpenPipeAsync(NamedPipeClientStream pipe, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        if (ioBehavior == IOBehavior.Asynchronous)
            await pipe.ConnectAsync(1000, cancellationToken).ConfigureAwait(false);
        else
            pipe.Connect(1000); // case: enum-mode-if-else
    }

    public async ValueTask OpenWhenClosedAsync(DbConnection connection, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        // A connection state compared with one of its values is not the caller's choice of mode: this Open blocks
        // whatever ioBehavior says.
        var closeConnection = false;
        if (connection.State != System.Data.ConnectionState.Open)
        {
            connection.Open(); // case: open-when-closed
            closeConnection = true;
        }

        try
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (closeConnection)
                connection.Close(); // case: close-in-finally
        }
    }

    public async ValueTask FillAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // The connection opened here is closed at the end through a delegate: the same synchronous Close.
        Action? close = null;
        if (connection.State == System.Data.ConnectionState.Closed)
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            close = connection.Close;
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        close?.Invoke(); // case: delegate-invoke
    }

    public async ValueTask<byte[]> ReadKeyAsync(string path, IOBehavior ioBehavior, CancellationToken cancellationToken)
    {
        var key = File.ReadAllBytes(path); // case: file-read-every-path
        if (ioBehavior == IOBehavior.Asynchronous)
            await _stream.WriteAsync(key, cancellationToken).ConfigureAwait(false);
        return key;
    }

    public async ValueTask<X509Certificate2> LoadCertificateAsync(string path, string password, CancellationToken cancellationToken)
    {
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
#pragma warning disable SYSLIB0057 // the driver loads a PKCS#12 file this way
        return new X509Certificate2(path, password, X509KeyStorageFlags.DefaultKeySet); // case: certificate-from-file
#pragma warning restore SYSLIB0057
    }
}

internal sealed class BufferedReader
{
    public async Task<int> CountNullsAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        int nulls = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.IsDBNull(1)) // case: reader-isdbnull
                nulls++;
        }

        return nulls;
    }

    public async Task<int> ColumnsAsync(SchemaReader reader, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return reader.GetColumnSchema().Count; // case: twin-wraps-sync-result
    }

    public async Task CompressAsync(byte[] payload, Stream output, CancellationToken cancellationToken)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(payload, 0, payload.Length); // case: compress-into-memory
        await output.WriteAsync(compressed.ToArray(), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A reader whose async twin only hands back the synchronous result: its author says the member does not wait.</summary>
internal sealed class SchemaReader
{
    public IReadOnlyList<string> GetColumnSchema() => new[] { "id" };

    public Task<IReadOnlyList<string>> GetColumnSchemaAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(GetColumnSchema());
    }
}

internal sealed class ByteHandler
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp);

    // The handler's API carries no token (the driver cancels by closing the socket): the await still cannot be
    // cancelled by the shutdown, which is what the rule says.
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        return await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false); // case: no-token-in-scope
    }
}

internal sealed class Pool
{
    private PeriodicTimer? _timer;

    // A pool-wide loop that a synchronous method starts and drops: its await is on no task the shutdown cancels.
    public void StartReaper(TimeSpan interval)
    {
        _timer = new PeriodicTimer(interval);
        _ = RunTimer();

        async Task RunTimer()
        {
            while (await _timer.WaitForNextTickAsync().ConfigureAwait(false)) // case: detached-timer-loop
            {
            }
        }
    }
}

internal sealed class BoolModeDriver
{
    private readonly Stream _underlying = Stream.Null;

    public async ValueTask<int> ReadAsync(byte[] buffer, bool async, CancellationToken cancellationToken)
    {
        var read = async
            ? await _underlying.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken).ConfigureAwait(false)
            : _underlying.Read(buffer, 0, buffer.Length); // case: bool-mode-ternary
        return read;
    }

    public async Task FlushAsync(byte[] buffer, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await _underlying.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await _underlying.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _underlying.Write(buffer, 0, buffer.Length); // case: bool-mode-if-else
            _underlying.Flush();
        }
    }

    public async Task<int> CountRowsAsync(DbCommand command, bool async, CancellationToken cancellationToken)
    {
        using var reader = async ? await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false) : command.ExecuteReader();
        int rows = 0;
        while (async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read()) // case: bool-mode-while-condition
            rows++;
        return rows;
    }

    public async ValueTask<object?> ParseAsync(Stream stream, int kind, bool async, CancellationToken cancellationToken)
    {
        object? value = kind switch
        {
            0 => async ? await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false) : JsonDocument.Parse(stream), // case: bool-mode-switch-arm
            _ => null,
        };
        return value;
    }

    public ValueTask<string> UserNameAsync(System.Diagnostics.Process process, bool async, CancellationToken cancellationToken)
    {
        return Inner();

        async ValueTask<string> Inner()
        {
            if (async)
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            else
                process.WaitForExit(); // case: bool-mode-captured-flag

            if (process.ExitCode != 0)
                return process.StandardError.ReadToEnd(); // case: read-to-end-after-async-wait
            return "user";
        }
    }

    public async ValueTask<int> RentAsync(System.Threading.Channels.ChannelReader<int> idle, SemaphoreSlim gate, bool async, CancellationToken cancellationToken)
    {
        int connector;
        if (async)
        {
            connector = await idle.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            gate.Wait(cancellationToken); // case: bool-mode-sync-over-async-arm
            try
            {
                var awaiter = idle.ReadAsync(cancellationToken).ConfigureAwait(false).GetAwaiter();
                var done = new ManualResetEventSlim(false, 0);
                awaiter.UnsafeOnCompleted(() => done.Set());
                done.Wait(CancellationToken.None);
                connector = awaiter.GetResult();
            }
            finally
            {
                gate.Release();
            }
        }

        return connector;
    }

    public async Task<int> ExecuteAsync(Func<Task<int>> send, CancellationToken cancellationToken)
    {
        var sendTask = send();
        if (sendTask.IsFaulted)
            sendTask.GetAwaiter().GetResult(); // case: faulted-guard
        return await sendTask.ConfigureAwait(false);
    }

    public async Task CleanupAsync(Task sendTask, bool broken, CancellationToken cancellationToken)
    {
        if (broken)
            _ = sendTask.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current); // case: continue-with-only-on-faulted
        else
            await sendTask.ConfigureAwait(false);
    }

    public async ValueTask RollBackAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        await Task.Yield();
        // Disposal takes no token on purpose: the rule wants CancellationToken.None said explicitly.
        await transaction.RollbackAsync().ConfigureAwait(false); // case: cleanup-await-without-token
    }
}

internal sealed class RowReader
{
    private readonly Stream _buffer = Stream.Null;

    // The token parameter is never used: passing one would change nothing.
    public async ValueTask ConsumeAsync(int? count = null, CancellationToken cancellationToken = default)
    {
        await _buffer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask CommitAsync()
    {
        await ConsumeAsync().ConfigureAwait(false); // case: callee-ignores-token
    }

    // Every caller has registered its token on the connection, which cancels the buffer's own reads: the await does
    // stop, but nothing the rule can see says so.
    public async ValueTask<string> ReadTextAsync(int length)
    {
        var bytes = new byte[length];
        await _buffer.ReadExactlyAsync(bytes).ConfigureAwait(false); // case: token-registered-elsewhere
        return System.Text.Encoding.UTF8.GetString(bytes);
    }
}

internal sealed class Replication
{
    private readonly Stream _feedback = Stream.Null;
    private Timer? _timer;

    public void Start(TimeSpan interval) => _timer = new Timer(TimerSendFeedback, null, interval, interval);

    private async void TimerSendFeedback(object? state)
    {
        await _feedback.FlushAsync().ConfigureAwait(false); // case: async-void-timer-callback
    }
}
