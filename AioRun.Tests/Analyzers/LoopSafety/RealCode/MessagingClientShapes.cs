// The shapes of the code that AIO001–AIO004 met in two messaging clients (the RabbitMQ .NET client and
// StackExchange.Redis), rewritten small and in our own words; see DatabaseDriverShapes.cs for how the cases are used.
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace RealCode.Messaging;

internal static class TaskWrappers
{
    /// <summary>A project's own awaitable wrapper around ConfigureAwait(false).</summary>
    public static ConfiguredTaskAwaitable ForAwait(this Task task) => task.ConfigureAwait(false);

    public static ConfiguredTaskAwaitable<T> ForAwait<T>(this Task<T> task) => task.ConfigureAwait(false);

    /// <summary>Attaches an observer of the task's failure and hands the same task back.</summary>
    public static Task ObserveErrors(this Task task)
    {
        task.ContinueWith(static t => GC.KeepAlive(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
        return task;
    }

    public static Task<T> ObserveErrors<T>(this Task<T> task)
    {
        task.ContinueWith(static t => GC.KeepAlive(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
        return task;
    }

    public static async Task<bool> TimeoutAfter(this Task task, int timeoutMs)
    {
        var cts = new CancellationTokenSource();
        if (task == await Task.WhenAny(task, Task.Delay(timeoutMs, cts.Token)).ForAwait()) // case: timeout-race
        {
            cts.Cancel();
            await task.ForAwait();
            return true;
        }

        return false;
    }
}

internal sealed class FrameHandler
{
    private readonly Channel<int> _frames = Channel.CreateUnbounded<int>();
    private readonly PipeWriter _pipeWriter = PipeWriter.Create(Stream.Null);
    private Task? _writerTask;

    public static async Task<FrameHandler> CreateAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        FrameHandler handler = new();
        handler._writerTask = Task.Run(handler.WriteLoopAsync, cancellationToken); // case: joined-by-owner
        return handler;
    }

    public async ValueTask CloseAsync()
    {
        _frames.Writer.TryComplete();
        if (_writerTask is not null)
            await _writerTask.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        while (await _frames.Reader.WaitToReadAsync().ConfigureAwait(false)) // case: method-group-to-task-run
        {
            while (_frames.Reader.TryRead(out _))
            {
                await FlushPipeAsync().ConfigureAwait(false);
            }

            await FlushPipeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FlushPipeAsync()
    {
        await _pipeWriter.FlushAsync().ConfigureAwait(false); // case: helper-of-off-loop-method
    }
}

internal abstract class DispatcherBase
{
    protected readonly Channel<int> Work = Channel.CreateUnbounded<int>();
    private readonly Task _worker;

    protected DispatcherBase()
    {
        Func<Task> loopStart = ProcessChannelAsync;
        _worker = Task.Run(loopStart);
    }

    // A protected method that a constructor hands to Task.Run through a delegate variable: another class could call
    // it, so it is not proven off the loop.
    protected abstract Task ProcessChannelAsync();

    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _worker.WaitAsync(cancellationToken).ConfigureAwait(false); // case: wait-for-worker-with-token
        }
        catch (OperationCanceledException)
        {
        }
    }
}

internal sealed class Dispatcher : DispatcherBase
{
    protected override async Task ProcessChannelAsync()
    {
        while (await Work.Reader.WaitToReadAsync().ConfigureAwait(false)) // case: protected-loop-via-delegate
        {
            Work.Reader.TryRead(out _);
        }
    }
}

internal sealed class Connection
{
    private readonly SemaphoreSlim _recorded = new(1, 1);
    private readonly CancellationTokenSource _recoveryCts = new();
    private Task _recoveryTask = Task.CompletedTask;
    private Task _mainLoopTask = Task.CompletedTask;
    private readonly FrameHandler _frameHandler = new();
    private TaskCompletionSource<bool>? _confirmations;

    public async Task StartAsync(IAuthMechanism mechanism, CancellationToken cancellationToken)
    {
        await mechanism.HandleChallengeAsync(new byte[1]).ConfigureAwait(false); // case: token-in-scope-not-passed
    }

    public async Task RecordAsync(string name)
    {
        await _recorded.WaitAsync().ConfigureAwait(false); // case: no-token-in-scope
        _recorded.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false); // case: cleanup-await-without-token
    }

    public Task AbortAsync(CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);

    public async Task CloseAsync(ShutdownArgs args, bool abort)
    {
        await CloseAsync(args, abort, default).ConfigureAwait(false);
        await Inner.CloseAsync(args, abort).ConfigureAwait(false); // case: overload-ignores-token
    }

    private AmqpChannel Inner { get; } = new();

    public async Task StopRecoveryAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _recoveryCts.Cancel();
        using var timeoutSource = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            await _recoveryTask.WaitAsync(linked.Token).ConfigureAwait(false); // case: wait-for-cancelled-loop
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task MaybeWaitForConfirmationAsync(CancellationToken cancellationToken)
    {
        if (_confirmations is not null)
            await _confirmations.Task.WaitAsync(cancellationToken).ConfigureAwait(false); // case: promise-wait
    }

    // The main loop reads from the frame handler's socket: when the wait gives up, closing the socket ends the loop.
    public async Task CloseMainLoopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        try
        {
            await _mainLoopTask.WaitAsync(cts.Token).ConfigureAwait(false); // case: wait-then-tear-down
        }
        catch
        {
            await _frameHandler.CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Task CloseAsync(ShutdownArgs args, bool abort, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class ShutdownArgs
{
    public CancellationToken CancellationToken { get; init; }
}

internal sealed class AmqpChannel
{
    public Task CloseAsync(ShutdownArgs args, bool abort) => CloseAsync(args, abort, default);

    // Cancellation travels in the arguments: the token parameter is never read.
    public async Task CloseAsync(ShutdownArgs args, bool abort, CancellationToken cancellationToken) =>
        await Task.Delay(abort ? 0 : 1, args.CancellationToken).ConfigureAwait(false);
}

internal interface IAuthMechanism
{
    Task<byte[]> HandleChallengeAsync(byte[] challenge, CancellationToken cancellationToken = default);
}

internal sealed class HealthCheck
{
    public async Task<bool> ProbeAllAsync(Func<Task>[] probes, int timeoutMs)
    {
        var running = probes.Select(p => p()).ToArray();
        if (await Task.WhenAll(running).TimeoutAfter(timeoutMs).ForAwait())
            return true;

        for (int i = 0; i < running.Length; i++)
        {
            _ = running[i].ObserveErrors(); // case: observe-errors-then-drop
        }

        return false;
    }

    public async Task PauseBetweenProbesAsync()
    {
        await Task.Delay(100).ForAwait(); // case: no-token-in-scope
    }
}

internal sealed class Subscriber
{
    public void ForwardFilteredMessages(ChannelReader<string> source, Action<string> handler)
    {
        _ = Task.Run(() => ForwardAsync(source, handler));

        static async Task ForwardAsync(ChannelReader<string> source, Action<string> handler)
        {
            while (await source.WaitToReadAsync().ConfigureAwait(false)) // case: local-function-via-task-run-lambda
            {
                while (source.TryRead(out var message))
                    handler(message);
            }
        }
    }
}

internal sealed class CursorEnumerator
{
    private readonly PageSource _source = new();
    private Task<int>? _pending;

    // The next page is read ahead, without the token of whoever will wait for it.
    public void Prefetch(int cursor) => _pending = cursor == 0 ? null : _source.GetNextPageAsync(cursor);

    public async ValueTask<int> NextPageAsync(CancellationToken enumeratorToken)
    {
        if (_pending is not { } pending)
            return 0;

        // Abandoning an in-flight read loses nothing, and waiting is the only way to honour this token.
        return await pending.WaitAsync(enumeratorToken).ForAwait(); // case: abandon-read
    }
}

internal sealed class PageSource
{
    public Task<int> GetNextPageAsync(int cursor) => Task.FromResult(cursor + 1);
}

internal sealed class Tunnel
{
    private readonly Stream _inner = Stream.Null;
    private readonly Stream _log = Stream.Null;

    public async Task<IPAddress[]> ResolveAsync(string host)
    {
        return await Dns.GetHostAddressesAsync(host).ObserveErrors().ForAwait(); // case: for-await-no-token
    }

    public async Task HandshakeAsync(SslStream stream, string host)
    {
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }).ForAwait(); // case: for-await-no-token
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _inner.FlushAsync().ForAwait(); // case: for-await-token-in-scope
    }

    public async ValueTask DisposeAsync()
    {
        await _log.FlushAsync().ForAwait(); // case: for-await-cleanup
    }
}
