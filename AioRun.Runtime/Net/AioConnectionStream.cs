using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// The <see cref="Stream"/> of an <see cref="AioTcpConnection"/> on an <see cref="EpollLoop"/>. The synchronous
/// Read and Write would block the loop's only thread, which is the one that must do the I/O: on the loop they throw;
/// elsewhere they wait for the asynchronous operation.
/// </summary>
internal sealed class AioConnectionStream : Stream
{
    private readonly AioTcpConnection _connection;
    private int _disposed;

    public AioConnectionStream(AioTcpConnection connection) => _connection = connection;

    public override bool CanRead => _disposed == 0;

    public override bool CanWrite => _disposed == 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("An AioTcpConnection stream has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("An AioTcpConnection stream has no position.");
        set => throw new NotSupportedException("An AioTcpConnection stream has no position.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return _connection.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return _connection.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ThrowIfOnLoop(nameof(Read));
        byte[] copy = new byte[buffer.Length];
        int n = _connection.ReadAsync(copy).AsTask().GetAwaiter().GetResult();
        copy.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfOnLoop(nameof(Write));
        _connection.WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();
    }

    public override void Flush()
    {
        // Writes go straight to the kernel; there is nothing to flush.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An AioTcpConnection stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("An AioTcpConnection stream has no length.");

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            _connection.Dispose();
        }

        base.Dispose(disposing);
    }

    private void ThrowIfOnLoop(string method)
    {
        if (_connection.Native is { } native && AioLoop.TryGetCurrent(out AioLoop? loop) && ReferenceEquals(loop, native.Loop))
        {
            throw new InvalidOperationException(
                $"Stream.{method} on an AioTcpConnection would block the EpollLoop's thread, which does the I/O itself; use {method}Async.");
        }
    }
}
