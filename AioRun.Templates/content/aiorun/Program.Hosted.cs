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
    [AioRunEntry]
    static async Task Main(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.UseAioRun();
        builder.Services.AddHostedService<Worker>();
        IHost host = builder.Build();
        await host.StartAsync(Aio.CancellationToken);
    }
}
