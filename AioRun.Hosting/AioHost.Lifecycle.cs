using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AioRun.Hosting;

/// <summary>
/// AioHost: starting and stopping the hosted services, in the Generic Host's order (its <c>Host.StartAsync</c> and
/// <c>StopAsync</c>), on the loop.
/// </summary>
internal sealed partial class AioHost
{
    // Loop thread only, from here on.
    private IHostedService[]? _services;
    private readonly Dictionary<IHostedService, AioTask> _serviceTasks = new(ReferenceEqualityComparer.Instance);
    private int _startCalled;
    private volatile bool _stopping;

    /// <summary>
    /// Starts the host on the loop: <c>IStartupValidator</c>, then each <see cref="IHostedLifecycleService.StartingAsync"/>,
    /// each hosted service's <see cref="IHostedService.StartAsync"/> in its own tracked task named after its type (a
    /// <see cref="BackgroundService"/>'s task runs on with its <c>ExecuteAsync</c>), each <c>StartedAsync</c>, and
    /// <c>ApplicationStarted</c>. Call it once, from the <c>[AioRunEntry]</c> Main: <c>await host.StartAsync(Aio.CancellationToken)</c>.
    /// </summary>
    /// <param name="cancellationToken">Abandons the start; <see cref="HostOptions.StartupTimeout"/> and <c>ApplicationStopping</c> do too.</param>
    /// <returns>A task that completes when every service has started.</returns>
    /// <exception cref="InvalidOperationException">
    /// The host was started already, or <c>host.Run()</c>, <c>RunAsync()</c> or <c>Start()</c> is starting it.
    /// </exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCalledByTheGenericHostsRunHelpers();
        if (Interlocked.Exchange(ref _startCalled, 1) != 0)
        {
            throw new InvalidOperationException("The host was started already; an AioRun program starts its host once, and the shutdown stops it.");
        }

        // A task of its own, so that the start runs on the loop whatever thread calls, and the task report shows it.
        return _loop.CreateTask(_ => StartServicesAsync(cancellationToken), "host.StartAsync").AsTask();
    }

    private async Task StartServicesAsync(CancellationToken cancellationToken)
    {
        Log.Starting(_logger);
        using CancellationTokenSource? timeout = _options.StartupTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new CancellationTokenSource(_options.StartupTimeout, _loop.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout?.Token ?? default, _lifetime.ApplicationStopping);
        CancellationToken token = linked.Token;
        try
        {
            token.ThrowIfCancellationRequested();
            IHostedService[] services = Services.GetRequiredService<IEnumerable<IHostedService>>().ToArray();
            _services = services;
            Services.GetService<IStartupValidator>()?.Validate();
            IHostedLifecycleService[] lifecycle = services.OfType<IHostedLifecycleService>().ToArray();
            foreach (IHostedLifecycleService service in lifecycle)
            {
                await service.StartingAsync(token);
            }

            if (_options.ServicesStartConcurrently)
            {
                await Task.WhenAll(services.Select(service => StartServiceAsync(service, token)));
            }
            else
            {
                foreach (IHostedService service in services)
                {
                    await StartServiceAsync(service, token);
                }
            }

            foreach (IHostedLifecycleService service in lifecycle)
            {
                await service.StartedAsync(token);
            }
        }
        catch (Exception ex)
        {
            Log.FailedToStart(_logger, ex);
            throw;
        }

        _lifetime.NotifyStarted();
        Log.Started(_logger);
    }

    /// <summary>Starts <paramref name="service"/> in a tracked task named after its type; completes when its StartAsync has.</summary>
    private Task StartServiceAsync(IHostedService service, CancellationToken token)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _serviceTasks[service] = _loop.CreateTask(_ => RunServiceAsync(service, token, started), NameOf(service));
        return started.Task;
    }

    /// <summary>
    /// The service's task: its StartAsync, then, for a <see cref="BackgroundService"/>, its ExecuteAsync until it ends
    /// (ExecuteAsync starts inside StartAsync, so it and its continuations belong to this task).
    /// </summary>
    private async Task RunServiceAsync(IHostedService service, CancellationToken token, TaskCompletionSource started)
    {
        try
        {
            await service.StartAsync(token);
        }
        catch (Exception ex)
        {
            // The host's start fails with it (and reports it); the task ends here.
            started.TrySetException(ex);
            return;
        }

        started.TrySetResult();
        if (service is not BackgroundService { ExecuteTask: { } execute })
        {
            return;
        }

        try
        {
            await execute;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !Aio.CurrentTask!.IsCancellationRequested)
        {
            OnBackgroundServiceFailed(service, ex);
        }
    }

    /// <summary>
    /// A <see cref="BackgroundService"/> whose ExecuteAsync failed: an unhandled error (the loop's exception handler: logged,
    /// or with StopOnUnhandledErrors the loop stops and the exit code is 1), and with the host's default
    /// <see cref="BackgroundServiceExceptionBehavior.StopHost"/> the program stops, as the Generic Host would.
    /// </summary>
    private void OnBackgroundServiceFailed(IHostedService service, Exception error)
    {
        string name = NameOf(service);
        _loop.CallExceptionHandler(new AioExceptionContext($"BackgroundService '{name}' failed", error, Aio.CurrentTask));
        if (_options.BackgroundServiceExceptionBehavior == BackgroundServiceExceptionBehavior.StopHost && !_stopping)
        {
            Log.BackgroundServiceStopsTheProgram(_logger, name);
            _loop.Stop();
        }
    }

    /// <summary>
    /// The shutdown's phase 3 (a shutdown participant, protected): the Generic Host's <c>StopAsync</c> order —
    /// <c>StoppingAsync</c>, <c>ApplicationStopping</c>, the services' <c>StopAsync</c> in reverse order (each service's task is
    /// cancelled at the same moment as its stopping token), <c>StoppedAsync</c> — within <see cref="HostOptions.ShutdownTimeout"/>.
    /// </summary>
    private async Task StopHostAsync(CancellationToken _)
    {
        _stopping = true;
        try
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                await StopServicesAsync();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private async Task StopServicesAsync()
    {
        Log.Stopping(_logger);
        using CancellationTokenSource? timeout = _options.ShutdownTimeout == Timeout.InfiniteTimeSpan
            ? null
            : new CancellationTokenSource(_options.ShutdownTimeout, _loop.TimeProvider);
        CancellationToken token = timeout?.Token ?? default;
        var errors = new List<Exception>();
        IHostedService[] services = Enumerable.Reverse(_services ?? Array.Empty<IHostedService>()).ToArray();
        IHostedLifecycleService[] lifecycle = services.OfType<IHostedLifecycleService>().ToArray();

        foreach (IHostedLifecycleService service in lifecycle)
        {
            await StopStepAsync(service, nameof(IHostedLifecycleService.StoppingAsync), service.StoppingAsync, token, errors);
        }

        _lifetime.StopApplication();

        if (_options.ServicesStopConcurrently)
        {
            await Task.WhenAll(services.Select(service => StopServiceAsync(service, token, errors)));
        }
        else
        {
            foreach (IHostedService service in services)
            {
                await StopServiceAsync(service, token, errors);
            }
        }

        foreach (IHostedLifecycleService service in lifecycle)
        {
            await StopStepAsync(service, nameof(IHostedLifecycleService.StoppedAsync), service.StoppedAsync, token, errors);
        }

        if (errors.Count > 0)
        {
            Exception error = errors.Count == 1 ? errors[0] : new AggregateException("One or more hosted services failed to stop.", errors);
            Log.FailedToStop(_logger, error);
            ExceptionDispatchInfo.Throw(error);
        }

        Log.Stopped(_logger);
    }

    private Task StopServiceAsync(IHostedService service, CancellationToken token, List<Exception> errors)
    {
        _serviceTasks.Remove(service, out AioTask? task);
        return StopStepAsync(service, nameof(IHostedService.StopAsync), stopToken =>
        {
            Task stopping = service.StopAsync(stopToken);

            // With its stopping token (a BackgroundService's StopAsync cancels it first thing), its task: its Aio.Sleep and
            // other awaits on Aio.CancellationToken end now too.
            task?.Cancel();
            return stopping;
        }, token, errors);
    }

    /// <summary>
    /// Runs one step of a service's stop as protected work named <c>Type.Step</c>, and waits for it at most until the host's
    /// shutdown timeout: then the host gives up on it with a warning, and the shutdown goes on; the work goes on too, and
    /// phase 5 waits for it with the pending tasks (or names it, if it refuses to exit within AioRun's timeout).
    /// </summary>
    private async Task StopStepAsync(IHostedService service, string step, Func<CancellationToken, Task> stop, CancellationToken token, List<Exception> errors)
    {
        string name = NameOf(service) + "." + step;
        var returned = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool gaveUp = false;
        _ = Aio.ShutdownWaitsFor(
            async _ =>
            {
                Task stopping;
                try
                {
                    stopping = stop(token);
                }
                catch (Exception ex)
                {
                    stopping = Task.FromException(ex);
                }

                returned.SetResult(stopping);
                try
                {
                    await stopping;
                }
                catch (Exception ex) when (gaveUp && !(ex is OperationCanceledException && token.IsCancellationRequested))
                {
                    // Nobody waits for it any more: an unhandled error, not a silent one.
                    _loop.CallExceptionHandler(new AioExceptionContext($"{name} failed after the host gave up on it", ex, Aio.CurrentTask));
                }
                catch (Exception)
                {
                    // The host's stop sees it (below), or it gave up when the host's timeout asked it to.
                }
            },
            name);

        // The step's synchronous part has run (in its own task) when this resumes; one that is done by then is never late.
        Task stopping = await returned.Task;
        try
        {
            await stopping.WaitAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            gaveUp = !stopping.IsCompleted;
            Log.StopStepTimedOut(_logger, name, _options.ShutdownTimeout.TotalSeconds);
        }
        catch (Exception ex)
        {
            errors.Add(ex);
        }
    }

    /// <summary>A service's name in task names and logs: its type's name, without a generic arity.</summary>
    private static string NameOf(object service)
    {
        string name = service.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
