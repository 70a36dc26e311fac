// An AioRun service on the .NET Generic Host: dependency injection, appsettings.json, ILogger and BackgroundService,
// all on one single-threaded event loop. AioRun owns SIGINT/SIGTERM (Ctrl-C, docker stop, kubectl delete pod,
// systemctl stop) and runs aiorun's orderly shutdown with the host in it: the host stops, pending tasks are
// cancelled and waited for, then the program exits with 0. Don't call host.Run(): it would own the signals.
//   The hosted shape and UseAioRun(): https://github.com/aiorun-dotnet/aiorun#readme
//   Writing code for the loop: https://github.com/aiorun-dotnet/aiorun#quick-start-writing-code-for-the-loop
//   The analyzers (AIO001-AIO004, set in .editorconfig): https://github.com/aiorun-dotnet/aiorun/blob/main/docs/rules/loop-safety.md
using AioRun;
using AioRun.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AioRunService1;

// partial: the source generator writes the rest of Program (the real entry point, the signals, the shutdown).
static partial class Program
{
    // StopOnUnhandledErrors: a host that fails to start, or a service that fails, ends the program with exit code 1
    // (as host.Run() would), so that the orchestrator restarts it, instead of a process that runs on with nothing in it.
    [AioRunEntry(StopOnUnhandledErrors = true)]
    static async Task Main(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.UseAioRun();
        // How long the hosted services' StopAsync may take (the Generic Host's default is 30 s). It comes before
        // AioRun's own shutdown timeout (in the csproj): keep the two together below docker stop's 10 s grace.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHostedService<Worker>();
        IHost host = builder.Build();
        await host.StartAsync(Aio.CancellationToken);
    }
}
