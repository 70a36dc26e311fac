// The Generic Host on AioRun's loop: dependency injection, options from appsettings.json, logging through the host,
// two BackgroundServices, and aiorun's shutdown on SIGINT/SIGTERM with the host stopped inside it.
//
//   dotnet run --project AioRun.Samples/HostedWorker
//   dotnet run --project AioRun.Samples/HostedWorker -- --Ticker:IntervalSeconds=0.2 --shutdownTimeoutSeconds=1 --Journal:FinalFlushSeconds=3
//
// Ctrl-C (or SIGTERM): "Stopping the loop", "Entering shutdown phase.", the host stops its services in reverse order (the
// Ticker, which saves its state under ShutdownWaitsFor, then the Journal's final flush), pending tasks run till complete
// (the state is saved by then), "Leaving. Bye!". SIGUSR1 prints the task report: 'Ticker' and 'Journal' are there. With a
// final flush longer than the host's ShutdownTimeout, the host gives up on the Journal's StopAsync and the shutdown goes on;
// AioRun still waits for the flush (within its own shutdown timeout) before it leaves.
using AioRun;
using AioRun.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

static partial class Program
{
    [AioRunEntry]
    static async Task Main(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.UseAioRun();
        builder.Services.Configure<TickerOptions>(builder.Configuration.GetSection("Ticker"));
        builder.Services.Configure<JournalOptions>(builder.Configuration.GetSection("Journal"));
        // The Journal starts first and stops last: the Ticker writes to it.
        builder.Services.AddSingleton<Journal>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Journal>());
        builder.Services.AddHostedService<Ticker>();
        IHost host = builder.Build();
        await host.StartAsync(Aio.CancellationToken);
    }
}
