using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AioRun.Hosting;

/// <summary>
/// <c>UseAioRun()</c>: the Generic Host runs on the loop of an AioRun program. Build the host and start it in an
/// <c>[AioRunEntry] static async Task Main</c>:
/// <code>
/// HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
/// builder.UseAioRun();
/// builder.Services.AddHostedService&lt;Worker&gt;();
/// IHost host = builder.Build();
/// await host.StartAsync(Aio.CancellationToken);
/// </code>
/// </summary>
/// <remarks>
/// What changes in the host:
/// <list type="bullet">
/// <item><c>StartAsync</c>, every hosted service's <c>StartAsync</c> and <c>StopAsync</c>, every
/// <c>BackgroundService.ExecuteAsync</c> and their continuations run on the loop thread; each hosted service runs as a
/// tracked task named after its type (the task report, the refused-to-exit warning and the loop-lag watchdog name it).</item>
/// <item>AioRun owns SIGINT and SIGTERM: the host's <c>IHostLifetime</c> (<c>ConsoleLifetime</c>) is replaced by one that
/// registers no signal handler. <c>IHostApplicationLifetime.StopApplication()</c> stops the loop, as <c>Aio.Stop()</c> does.</item>
/// <item>The shutdown stops the host in phase 3 (<c>ApplicationStopping</c>, the hosted services' <c>StopAsync</c> in reverse
/// order within <c>HostOptions.ShutdownTimeout</c>), fires <c>ApplicationStopped</c> after the executor phase, and disposes the
/// host after <c>Leaving. Bye!</c>.</item>
/// <item>The loop's <see cref="AioLoop.Logger"/> is the host's (<c>ILoggerFactory</c>, category <c>AioRun</c>), so the lifecycle
/// lines go through the host's logging providers and configuration.</item>
/// </list>
/// </remarks>
public static class AioHostingExtensions
{
    // In the builder's Properties: UseAioRun() was called on it.
    private static readonly object s_marker = new();

    /// <summary>Runs the host that <paramref name="builder"/> builds on the AioRun program's loop (see <see cref="AioHostingExtensions"/>).</summary>
    /// <param name="builder">The builder of <c>Host.CreateApplicationBuilder(args)</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException"><c>UseAioRun()</c> was already called on this builder.</exception>
    public static HostApplicationBuilder UseAioRun(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        MarkOnce(((IHostApplicationBuilder)builder).Properties);
        UseAioRun(builder.Services);
        return builder;
    }

    /// <summary>Runs the host that <paramref name="builder"/> builds on the AioRun program's loop (see <see cref="AioHostingExtensions"/>).</summary>
    /// <param name="builder">The builder of <c>Host.CreateDefaultBuilder(args)</c> or <c>new HostBuilder()</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException"><c>UseAioRun()</c> was already called on this builder.</exception>
    public static IHostBuilder UseAioRun(this IHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        MarkOnce(builder.Properties);

        // HostBuilder registers its own services (IHost, ConsoleLifetime) when it builds, before these callbacks run.
        builder.ConfigureServices((_, services) => UseAioRun(services));
        return builder;
    }

    private static void MarkOnce(IDictionary<object, object> properties)
    {
        if (properties.ContainsKey(s_marker))
        {
            throw new InvalidOperationException(
                "UseAioRun() was called twice on the same host builder. Call it once, right after creating the builder: " +
                "builder.UseAioRun();");
        }

        properties[s_marker] = true;
    }

    private static void UseAioRun(IServiceCollection services)
    {
        ServiceDescriptor? host = services.LastOrDefault(d => d.ServiceType == typeof(IHost) && !d.IsKeyedService);
        if (host?.ImplementationFactory is not { } createHost)
        {
            throw new InvalidOperationException(
                "UseAioRun() found no IHost registration made by the Generic Host's builder to run on the loop. Call it on the builder " +
                "of Host.CreateApplicationBuilder(args), Host.CreateDefaultBuilder(args) or new HostBuilder(), before Build().");
        }

        // The host itself: AioHost runs the lifecycle on the loop, and keeps the Generic Host's own to dispose it.
        services.RemoveAll<IHost>();
        services.AddSingleton<IHost>(provider => new AioHost((IHost)createHost(provider), provider));

        // No ConsoleLifetime: AioRun's program owns the signals. AioHost checks at Build that these two are still its own.
        services.RemoveAll<IHostLifetime>();
        services.AddSingleton<IHostLifetime, AioHostLifetime>();
        services.RemoveAll<IHostApplicationLifetime>();
        services.AddSingleton<IHostApplicationLifetime, AioApplicationLifetime>();
    }
}
