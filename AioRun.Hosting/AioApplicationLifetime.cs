using System.Threading;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace AioRun.Hosting;

/// <summary>
/// The host's <see cref="IHostApplicationLifetime"/> under AioRun. The Generic Host insists on its own
/// <see cref="ApplicationLifetime"/> class, so this derives from it and re-implements the interface: through it,
/// <see cref="IHostApplicationLifetime.StopApplication"/> stops the loop (as <c>Aio.Stop()</c> does), and the shutdown fires
/// <c>ApplicationStopping</c> in phase 3 and <c>ApplicationStopped</c> after the executor phase.
/// </summary>
internal sealed class AioApplicationLifetime : ApplicationLifetime, IHostApplicationLifetime
{
    private AioHost? _host;

    public AioApplicationLifetime(ILogger<ApplicationLifetime> logger)
        : base(logger)
    {
    }

    CancellationToken IHostApplicationLifetime.ApplicationStarted => ApplicationStarted;

    CancellationToken IHostApplicationLifetime.ApplicationStopping
    {
        get
        {
            // host.WaitForShutdown() and WaitForShutdownAsync() read this first, then wait for it.
            _host?.ThrowIfCalledByTheGenericHostsRunHelpers();
            return ApplicationStopping;
        }
    }

    CancellationToken IHostApplicationLifetime.ApplicationStopped => ApplicationStopped;

    /// <summary>The host this lifetime belongs to; from then on <c>StopApplication()</c> stops its loop.</summary>
    internal void Bind(AioHost host) => _host = host;

    void IHostApplicationLifetime.StopApplication()
    {
        if (_host is null)
        {
            StopApplication();
        }
        else
        {
            _host.RequestStop();
        }
    }
}
