using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace AioRun.Hosting;

/// <summary>
/// The host's <see cref="IHostLifetime"/> under AioRun: it registers no signal handler (the AioRun program owns SIGINT and
/// SIGTERM from its first line) and waits for nothing. It stands in the Generic Host's <c>ConsoleLifetime</c>, whose
/// handlers would stop the host beside AioRun's shutdown, or instead of it.
/// </summary>
internal sealed class AioHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
