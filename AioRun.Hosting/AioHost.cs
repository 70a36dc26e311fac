using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AioRun.Hosting;

/// <summary>
/// The <see cref="IHost"/> that a builder with <c>UseAioRun()</c> builds. It runs the host's lifecycle on the loop of the
/// AioRun program that builds it, and takes part in that program's shutdown:
/// <list type="bullet">
/// <item><see cref="StartAsync"/>: the hosted services start on the loop, each as a tracked task named after its type;</item>
/// <item>phase 3 (a shutdown participant): <c>ApplicationStopping</c>, then the services stop in reverse order, within
/// <see cref="HostOptions.ShutdownTimeout"/>;</item>
/// <item>phase 7: <c>ApplicationStopped</c> as the loop closes (after the executor phase), and the Generic Host's own
/// host, with its service provider, is disposed after <c>Leaving. Bye!</c>.</item>
/// </list>
/// The Generic Host's host is kept only for that disposal: its <c>StartAsync</c> and <c>StopAsync</c> never run, so its
/// <c>IHostLifetime</c> never registers a signal handler either.
/// </summary>
internal sealed partial class AioHost : IHost, IAsyncDisposable
{
    private readonly IHost _genericHost;
    private readonly AioLoop _loop;
    private readonly AioApplicationLifetime _lifetime;
    private readonly HostOptions _options;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopRequested;
    private int _disposed;

    public AioHost(IHost genericHost, IServiceProvider services)
    {
        // Build() resolves the host: this is where a host built outside an AioRun program is refused.
        _loop = LoopOfTheProgram();
        _genericHost = genericHost;
        Services = services;
        _lifetime = services.GetRequiredService<IHostApplicationLifetime>() as AioApplicationLifetime
            ?? throw Replaced(typeof(IHostApplicationLifetime), services.GetRequiredService<IHostApplicationLifetime>());
        if (services.GetRequiredService<IHostLifetime>() is not AioHostLifetime)
        {
            throw Replaced(typeof(IHostLifetime), services.GetRequiredService<IHostLifetime>());
        }

        _options = services.GetRequiredService<IOptions<HostOptions>>().Value;
        ILoggerFactory loggers = services.GetRequiredService<ILoggerFactory>();
        _logger = loggers.CreateLogger("AioRun.Hosting");
        _loop.Logger = loggers.CreateLogger(AioLogging.Category);

        _lifetime.Bind(this);
        // ApplicationLifetime.StopApplication() called on the class (or the obsolete IApplicationLifetime) stops the loop too.
        _lifetime.ApplicationStopping.Register(static host => ((AioHost)host!).RequestStop(), this);
        RegisterStatusMessages(loggers);

        _loop.AddShutdownParticipant(StopHostAsync, "host.StopAsync");
        _loop.Closing += (_, _) => _lifetime.NotifyStopped();
        _loop.Closed += (_, _) => DisposeAtTheEnd();
    }

    /// <inheritdoc/>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Asks for the program to stop, as <c>Aio.Stop()</c> does (<c>IHostApplicationLifetime.StopApplication()</c>, or the
    /// host's <see cref="StopAsync"/> called by the program): the loop stops, and the shutdown stops the host. Any thread.
    /// </summary>
    internal void RequestStop()
    {
        if (!_stopping && Interlocked.Exchange(ref _stopRequested, 1) == 0)
        {
            Log.StopRequested(_logger);
        }

        _loop.Stop();
    }

    /// <summary>
    /// Stops the program (see <see cref="RequestStop"/>) and completes when the shutdown has stopped the host. The host
    /// cannot stop on its own inside an AioRun program: its services run on the loop, which the shutdown runs.
    /// </summary>
    /// <param name="cancellationToken">Stops the waiting, not the shutdown.</param>
    /// <returns>A task that completes when the host has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        RequestStop();
        return _stopped.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Disposing the host inside the program (a <c>using</c>, say) is left to the shutdown, which disposes it after
    /// <c>Leaving. Bye!</c>: the services run until then.
    /// </summary>
    public void Dispose()
    {
        if (_loop.IsClosed)
        {
            DisposeAtTheEnd();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary>
    /// Refuses <c>host.Run()</c>, <c>RunAsync()</c>, <c>Start()</c>, <c>WaitForShutdown()</c> and <c>WaitForShutdownAsync()</c>:
    /// they wait for a shutdown that AioRun runs, and the synchronous ones would block the loop thread for good (a hang).
    /// </summary>
    /// <remarks>
    /// They are extension methods that call the host's members, so the call stack is the one witness of who called; it
    /// is read only at <see cref="StartAsync"/> and when code on the loop reads <c>ApplicationStopping</c>.
    /// </remarks>
    /// <exception cref="InvalidOperationException">One of them is on the stack.</exception>
    internal void ThrowIfCalledByTheGenericHostsRunHelpers()
    {
        if (Aio.CurrentTask?.Loop != _loop && !(AioLoop.TryGetCurrent(out AioLoop? running) && running == _loop))
        {
            return;
        }

        if (RunHelperOnTheStack() is { } helper)
        {
            throw new InvalidOperationException(
                $"host.{helper}() was called inside an AioRun program. It waits for a shutdown that AioRun runs itself, and " +
                "host.Run(), Start() and WaitForShutdown() would block the loop thread, so that nothing could run any more. " +
                "Start the host with 'await host.StartAsync(Aio.CancellationToken);' in the [AioRunEntry] Main and let Main return: " +
                "the loop runs on, SIGINT/SIGTERM start AioRun's shutdown, which stops the host, and Aio.Stop() or " +
                "IHostApplicationLifetime.StopApplication() stop it from inside.");
        }
    }

    private static string? RunHelperOnTheStack()
    {
        const string Helpers = "Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.";
        // Without file information: Environment.StackTrace would read the PDBs, and this runs on each read of
        // ApplicationStopping on the loop. The frames' names are all it needs.
        string stack = new StackTrace(fNeedFileInfo: false).ToString();
        string? outermost = null;
        for (int at = stack.IndexOf(Helpers, StringComparison.Ordinal); at >= 0; at = stack.IndexOf(Helpers, at + 1, StringComparison.Ordinal))
        {
            // "Run(IHost host)", or an async method's "<RunAsync>d__4.MoveNext()" where the frame is not shown as "RunAsync(...)".
            int start = at + Helpers.Length;
            if (start < stack.Length && stack[start] == '<')
            {
                start++;
            }

            int end = start;
            while (end < stack.Length && char.IsLetterOrDigit(stack[end]))
            {
                end++;
            }

            // The outermost one is the call in the program (Run calls RunAsync, which calls WaitForShutdownAsync).
            string name = stack[start..end];
            if (name is "Run" or "RunAsync" or "Start" or "WaitForShutdown" or "WaitForShutdownAsync")
            {
                outermost = name;
            }
        }

        return outermost;
    }

    private static AioLoop LoopOfTheProgram()
    {
        if (AioLoop.TryGetCurrent(out AioLoop? loop))
        {
            return loop;
        }

        if (Aio.CurrentTask is { } task)
        {
            return task.Loop;
        }

        throw new InvalidOperationException(
            "The host was built with UseAioRun(), but not inside an AioRun program: no AioLoop runs on this thread " +
            $"({Environment.CurrentManagedThreadId}) and the code is not part of an AioTask. Build and start the host in the " +
            "program's entry, 'partial class Program { [AioRunEntry] static async Task Main(string[] args) { ... } }', " +
            "instead of a plain Main; or leave UseAioRun() out to run the Generic Host on its own.");
    }

    private static InvalidOperationException Replaced(Type service, object implementation) => new(
        $"UseAioRun() set the host's {service.Name}, but something registered after it replaced it with {implementation.GetType().FullName}. " +
        "Under AioRun the program owns SIGINT/SIGTERM and the shutdown (it speaks systemd's notify protocol itself): remove " +
        "UseConsoleLifetime(), UseSystemd() or UseWindowsService() and other registrations of " + service.Name + ", or call them before UseAioRun().");

    /// <summary>The Generic Host's own lines about its lifecycle, as its ConsoleLifetime logs them (category <c>Microsoft.Hosting.Lifetime</c>).</summary>
    private void RegisterStatusMessages(ILoggerFactory loggers)
    {
        if (Services.GetService<IOptions<ConsoleLifetimeOptions>>()?.Value.SuppressStatusMessages == true)
        {
            return;
        }

        ILogger status = loggers.CreateLogger("Microsoft.Hosting.Lifetime");
        IHostEnvironment environment = Services.GetRequiredService<IHostEnvironment>();
        _lifetime.ApplicationStarted.Register(() => Log.ApplicationStarted(status, environment.EnvironmentName, environment.ContentRootPath));
        _lifetime.ApplicationStopping.Register(() => Log.ApplicationStopping(status));
    }

    private void DisposeAtTheEnd()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // The service provider with it: singletons are disposed, logging providers flush what they still hold.
            _genericHost.Dispose();
        }
        finally
        {
            // The host's loggers are gone; whatever the loop still has to say goes to standard error.
            _loop.Logger = AioLogging.DefaultLogger;
        }
    }
}
