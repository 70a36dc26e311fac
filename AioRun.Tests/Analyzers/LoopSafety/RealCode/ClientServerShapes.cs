// The shapes of the code that AIO001–AIO004 met in an MQTT client and server (MQTTnet) and a resilience library
// (Polly), rewritten small and in our own words; see DatabaseDriverShapes.cs for how the cases are used.
using System.Net.Security;

namespace RealCode.ClientServer;

internal static class TaskJoins
{
    /// <summary>A project's own join: awaits the task unless it is the caller's own.</summary>
    public static async Task WaitAsync(this Task task, Task? sender, Action<Exception> log)
    {
        if (task == sender)
            return;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            log(exception);
        }
    }
}

internal sealed class Listener
{
    private CancellationTokenSource? _cts;

    public void Start(Func<CancellationToken, Task<Stream>> accept)
    {
        _cts = new CancellationTokenSource();
        var token = _cts.Token;
        Task.Run(() => AcceptConnectionsAsync(accept, token), token);
    }

    private async Task AcceptConnectionsAsync(Func<CancellationToken, Task<Stream>> accept, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var stream = await accept(token).ConfigureAwait(false);
            _ = Task.Factory.StartNew(() => HandleConnectionAsync(stream), token, TaskCreationOptions.PreferFairness, TaskScheduler.Default).ConfigureAwait(false); // case: accept-loop-off-loop
        }
    }

    private async Task HandleConnectionAsync(Stream stream)
    {
        using var ssl = new SslStream(stream);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions()).ConfigureAwait(false); // case: helper-of-off-loop-lambda
    }
}

internal sealed class ConnectedClient
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public async Task RunAsync(Func<Task> dispatchWill, CancellationToken cancellationToken)
    {
        using var sendCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            _ = Task.Factory.StartNew(() => SendPacketsLoop(sendCts.Token), sendCts.Token, TaskCreationOptions.PreferFairness, TaskScheduler.Default).ConfigureAwait(false); // case: dropped-send-pump
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sendCts.Cancel();
        }

        _ = dispatchWill(); // case: dropped-dispatch
    }

    private async Task SendPacketsLoop(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            _sendLock.Release();
        }
    }
}

internal sealed class ChannelAdapter
{
    public async Task ConnectAsync(Func<CancellationToken, Task> connect, CancellationToken cancellationToken)
    {
        // Some connects ignore their token: run it aside and race it against the token.
        var connectTask = Task.Run(() => connect(cancellationToken), cancellationToken); // case: task-run-raced-against-token
        var cancelled = new TaskCompletionSource<bool>();
        using (cancellationToken.Register(() => cancelled.TrySetCanceled()))
        {
            await Task.WhenAny(connectTask, cancelled.Task).ConfigureAwait(false); // case: whenany-token-signal
        }
    }
}

internal sealed class Client
{
    private Task? _keepAliveTask;
    private Task? _publishTask;
    private Task? _receiveTask;
    private Action<Exception> _log = _ => { };

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var background = CancellationToken.None;
        _keepAliveTask = Task.Run(() => KeepAliveAsync(background), background);
        _publishTask = Task.Run(() => Task.Delay(10, background), background); // case: joined-through-own-extension
        _receiveTask = Task.Run(() => Task.Delay(10, background), background);
    }

    public async Task DisconnectAsync(Task? sender, Func<Task> raiseDisconnected)
    {
        var keepAlive = _keepAliveTask!.WaitAsync(sender, _log);
        var publish = _publishTask!.WaitAsync(sender, _log);
        await Task.WhenAll(keepAlive, publish, _receiveTask!.WaitAsync(sender, _log)).ConfigureAwait(false);

        // Handlers that may reconnect: run aside on purpose so that they cannot deadlock the disconnect.
        _ = Task.Run(raiseDisconnected); // case: task-run-user-handlers
    }

    private static Task KeepAliveAsync(CancellationToken cancellationToken) => Task.Delay(10, cancellationToken);
}

internal sealed class Hedging : IAsyncDisposable
{
    private readonly List<Task> _executing = new();

    // A bounded poll for the first finished attempt: the context's disposal awaits every attempt later.
    public async ValueTask<bool> TryWaitForCompletedAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var any = Task.WhenAny(_executing);
        await any.WaitAsync(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // case: bounded-poll-joined-later
        return any.IsCompleted;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Task execution in _executing)
        {
            await execution.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
