using System.Net.Sockets;
using System.Text;

namespace AioRun.Tests.Process;

/// <summary>
/// What systemd does with <c>NOTIFY_SOCKET</c>: a real Unix datagram socket, bound to a temporary path or to an abstract
/// name, that records every notification a child sends (one entry per <c>KEY=value</c> line, in arrival order).
/// </summary>
/// <remarks>
/// A datagram is in the receiver's queue as soon as the sender's send returns. <see cref="Mark"/> sends a marker of its
/// own and waits until it is read: every notification the child sent before the call is then recorded.
/// </remarks>
public sealed class NotifyReceiver : IDisposable
{
    private const string MarkerPrefix = "AIORUN-TEST-MARKER-";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly string? _path;
    private readonly List<string> _messages = new();
    private readonly HashSet<string> _markers = new();
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private int _nextMarker;

    private NotifyReceiver(string address, string endPointPath, string? path)
    {
        Address = address;
        _path = path;
        _endPoint = new UnixDomainSocketEndPoint(endPointPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(_endPoint);
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>The value for the child's <c>NOTIFY_SOCKET</c>.</summary>
    public string Address { get; }

    /// <summary>The notifications received so far, one <c>KEY=value</c> line each.</summary>
    public IReadOnlyList<string> Messages { get { lock (_gate) { return _messages.ToArray(); } } }

    /// <summary>A receiver bound to a new path in the temporary directory.</summary>
    public static NotifyReceiver AtPath()
    {
        // Short: a socket path has room for about 107 bytes, and the temporary directory may be long already.
        string path = Path.Combine(Path.GetTempPath(), "aiorun-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        return new NotifyReceiver(path, path, path);
    }

    /// <summary>A receiver bound to a new abstract name (Linux): <c>NOTIFY_SOCKET=@name</c>.</summary>
    public static NotifyReceiver Abstract()
    {
        string name = "aiorun-test-" + Guid.NewGuid().ToString("N");
        return new NotifyReceiver("@" + name, "\0" + name, null);
    }

    /// <summary>Waits until every notification sent before this call is recorded; returns how many there are.</summary>
    public int Mark()
    {
        string marker;
        lock (_gate)
        {
            marker = MarkerPrefix + _nextMarker++;
            _markers.Add(marker);
        }

        using (var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            sender.SendTo(Encoding.UTF8.GetBytes(marker), _endPoint);
        }

        lock (_gate)
        {
            var deadline = DateTime.UtcNow + ChildProcess.Generous;
            while (_markers.Contains(marker))
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException("The receiver never read its own marker.");
                }

                Monitor.Wait(_gate, left);
            }

            return _messages.Count;
        }
    }

    /// <summary>Waits until <paramref name="message"/> arrives at index <paramref name="from"/> or later; false if <paramref name="timeout"/> passes first.</summary>
    public bool WaitFor(string message, int from = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ChildProcess.Generous);
        lock (_gate)
        {
            while (_messages.IndexOf(message, from) < 0)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_gate, left);
            }

            return true;
        }
    }

    /// <summary>Waits until <paramref name="message"/> arrives at index <paramref name="from"/> or later; fails the test if it does not.</summary>
    public int WaitForOrFail(string message, int from = 0)
    {
        if (!WaitFor(message, from))
        {
            throw new TimeoutException($"No '{message}' arrived (from index {from}). Received:{Environment.NewLine}{string.Join(Environment.NewLine, Messages)}");
        }

        lock (_gate)
        {
            return _messages.IndexOf(message, from);
        }
    }

    /// <summary>Closes the socket and removes its path: the socket is gone. Idempotent.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _reader.Wait(ChildProcess.Generous);
        _socket.Dispose();
        if (_path is not null)
        {
            File.Delete(_path);
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return; // Disposed.
            }

            string datagram = Encoding.UTF8.GetString(buffer, 0, length);
            lock (_gate)
            {
                if (!_markers.Remove(datagram))
                {
                    // sd_notify allows several assignments per datagram, one per line.
                    _messages.AddRange(datagram.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                }

                Monitor.PulseAll(_gate);
            }
        }
    }
}
