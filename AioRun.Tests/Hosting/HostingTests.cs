using AioRun.Hosting;
using AioRun.Tests.Process;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Hosting;

/// <summary>
/// AioRun.Hosting in process, on virtual time: the Generic Host built with UseAioRun() inside an AioRun program (the
/// phases as the generated program runs them), its services on the loop, and its stop inside aiorun's shutdown.
/// </summary>
[Collection(nameof(AioLogging))]
public class HostingTests
{
    [Fact]
    public void The_services_run_on_the_loop_as_tasks_named_after_their_type_and_stop_inside_the_shutdown_in_the_generic_hosts_order()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.T.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        AioTask main = p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.AddHostedService<Greeter>();
            builder.Services.AddHostedService<Ticker>();
            IHost host = builder.Build();
            IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStopping.Register(() => r.Add("ApplicationStopping"));
            lifetime.ApplicationStopped.Register(() => r.Add($"ApplicationStopped (loop closed: {p.Loop.IsClosed})"));
            await host.StartAsync(Aio.CancellationToken);
            r.Add("started; tasks: " + string.Join(", ", Aio.Loop.AllTasks().Select(t => t.Name).Order(StringComparer.Ordinal)));
            await Aio.Sleep(0.5);
            Aio.Stop();
        });
        p.RunShutdown();

        Assert.True(main.IsCompletedSuccessfully, main.Exception?.ToString());
        Lines.AssertInOrder(
            r.Lines,
            "Greeter.StartAsync: on the loop True, task 'Greeter'",
            "Ticker executes: on the loop True, task 'Ticker'",
            "[Microsoft.Hosting.Lifetime] Application started. Press Ctrl+C to shut down.",
            "started; tasks: Ticker, main",
            "Ticker resumed: on the loop True, task 'Ticker'",
            "[AioRun] Entering shutdown phase.",
            "Ticker.StopAsync",
            "Ticker cancelled (stopping token cancelled: True)",
            "Greeter.StopAsync",
            "[AioRun] Cancelling pending tasks. (0 tasks)",
            "[AioRun] Running pending tasks till complete",
            "[AioRun] Waiting for executor shutdown.",
            "ApplicationStopped (loop closed: False)",
            "[AioRun] Leaving. Bye!",
            "Greeter disposed");
        Lines.AssertInOrder(r.Lines, "[AioRun] Entering shutdown phase.", "ApplicationStopping", "Ticker.StopAsync");
        Lines.AssertInOrder(r.Lines, "[AioRun] Entering shutdown phase.", "[Microsoft.Hosting.Lifetime] Application is shutting down...", "Ticker.StopAsync");
        Assert.Equal(0, p.Program.ExitCode(main));
    }

    [Fact]
    public void StopApplication_stops_the_loop_and_ApplicationStopping_comes_in_the_shutdown()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.AddHostedService<Greeter>();
            IHost host = builder.Build();
            await host.StartAsync(Aio.CancellationToken);
            IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStopping.Register(() => r.Add("ApplicationStopping"));
            lifetime.StopApplication();
            r.Add($"StopApplication returned; stopping yet: {lifetime.ApplicationStopping.IsCancellationRequested}");
        });
        r.Add("the loop stopped");
        p.RunShutdown();

        Lines.AssertInOrder(r.Lines, "StopApplication returned; stopping yet: False", "the loop stopped", "[AioRun] Entering shutdown phase.", "ApplicationStopping", "Greeter.StopAsync", "[AioRun] Leaving. Bye!");
    }

    [Fact]
    public void A_StopAsync_that_outlives_the_hosts_ShutdownTimeout_is_given_up_on_and_the_shutdown_waits_for_it_with_the_pending_tasks()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        AioTask main = p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
            builder.Services.AddHostedService<Greeter>();
            builder.Services.AddHostedService<SlowStop>();
            await builder.Build().StartAsync(Aio.CancellationToken);
            Aio.Stop();
        });
        p.RunShutdown(TimeSpan.FromSeconds(10));

        // 4 s of virtual time between the host giving up and the end of the flush: phase 5 begins long before.
        Lines.AssertInOrder(
            r.Lines,
            "SlowStop.StopAsync begins",
            "[AioRun.Hosting] SlowStop.StopAsync did not finish within the host's ShutdownTimeout of 1 s; the host gives up on it and the shutdown goes on (it waits for it with the pending tasks, within AioRun's shutdown timeout).",
            "Greeter.StopAsync",
            "[AioRun] Cancelling pending tasks. (0 tasks)",
            "[AioRun] Running pending tasks till complete",
            "SlowStop.StopAsync ends",
            "[AioRun] Waiting for executor shutdown.",
            "[AioRun] Leaving. Bye!");
        Assert.Equal(0, p.Program.ExitCode(main));
    }

    [Fact]
    public void A_StopAsync_that_never_ends_is_named_in_the_refused_to_exit_warning()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
            builder.Services.AddHostedService<StuckStop>();
            await builder.Build().StartAsync(Aio.CancellationToken);
            Aio.Stop();
        });
        p.RunShutdown(TimeSpan.FromSeconds(15));

        Assert.Contains(r.Lines, l => l.StartsWith("[AioRun] Task refused to exit within the shutdown timeout of 10 s: 'StuckStop.StopAsync' (waiting, age ", StringComparison.Ordinal) && l.Contains("protected", StringComparison.Ordinal));
        Lines.AssertInOrder(r.Lines, "[AioRun] Waiting for executor shutdown.", "[AioRun] Leaving. Bye!");
    }

    [Fact]
    public void ShutdownWaitsFor_work_a_service_starts_while_it_stops_is_waited_for()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.AddHostedService<Saver>();
            await builder.Build().StartAsync(Aio.CancellationToken);
            Aio.Stop();
        });
        p.RunShutdown(TimeSpan.FromSeconds(5));

        // The save outlives its caller, whose await the shutdown cancelled at once; when it ends depends on how many turns
        // the phases take (virtual time moves once per turn), but never after the shutdown's wait for tasks.
        Lines.AssertInOrder(r.Lines, "[AioRun] Entering shutdown phase.", "Saver stops; saving", "Saver's caller was cancelled at once", "Saver saved", "[AioRun] Waiting for executor shutdown.", "[AioRun] Leaving. Bye!");
    }

    [Fact]
    public void A_failing_background_service_is_an_unhandled_error_and_stops_the_program_as_StopHost_says()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.AddHostedService<Failing>();
            await builder.Build().StartAsync(Aio.CancellationToken);
            await Aio.Sleep(double.PositiveInfinity);
        });
        p.RunShutdown();

        Lines.AssertInOrder(
            r.Lines,
            "[AioRun.Hosting] BackgroundService 'Failing' failed and HostOptions.BackgroundServiceExceptionBehavior is StopHost: stopping the loop. Set it to Ignore to keep the program running without that service.",
            "[AioRun] Entering shutdown phase.");
        Assert.Contains(r.Lines, l => l.StartsWith("[AioRun] BackgroundService 'Failing' failed: task 'Failing' created at ", StringComparison.Ordinal));
    }

    [Fact]
    public void An_IHostBuilder_works_too_and_disposing_the_host_inside_the_program_waits_for_the_end_of_the_shutdown()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            using (IHost host = new HostBuilder()
                .ConfigureLogging(logging => logging.AddProvider(new RecordingLoggerProvider(r)))
                .ConfigureServices(services => services.AddSingleton(r).AddHostedService<Greeter>())
                .UseAioRun()
                .Build())
            {
                await host.StartAsync(Aio.CancellationToken);
            }

            r.Add("Main left the using block");
            Aio.Stop();
        });
        p.RunShutdown();

        Lines.AssertInOrder(r.Lines, "Greeter.StartAsync: on the loop True, task 'Greeter'", "Main left the using block", "[AioRun] Entering shutdown phase.", "Greeter.StopAsync", "[AioRun] Leaving. Bye!", "Greeter disposed");
    }

    [Fact]
    public void UseAioRun_twice_is_refused_with_the_fix()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseAioRun();
        var twice = Assert.Throws<InvalidOperationException>(() => builder.UseAioRun());
        Assert.StartsWith("UseAioRun() was called twice on the same host builder. Call it once", twice.Message, StringComparison.Ordinal);

        IHostBuilder hostBuilder = new HostBuilder().UseAioRun();
        Assert.Throws<InvalidOperationException>(() => hostBuilder.UseAioRun());
    }

    [Fact]
    public void Building_the_host_outside_an_AioRun_program_is_refused_and_says_where_it_belongs()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseAioRun();

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.StartsWith("The host was built with UseAioRun(), but not inside an AioRun program: no AioLoop runs on this thread", error.Message, StringComparison.Ordinal);
        Assert.Contains("[AioRunEntry] static async Task Main(string[] args)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lifetime_registered_after_UseAioRun_is_refused_at_Build_never_a_second_signal_owner()
    {
        using var p = new HostedProgram();
        Exception? error = null;
        p.RunMain(() =>
        {
            HostApplicationBuilder builder = p.NewBuilder();
            builder.UseAioRun();
            builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
            error = Record.Exception(() => builder.Build());
            Aio.Stop();
            return Task.CompletedTask;
        });
        p.RunShutdown();

        Assert.IsType<InvalidOperationException>(error);
        Assert.StartsWith("UseAioRun() set the host's IHostLifetime, but something registered after it replaced it with Microsoft.Extensions.Hosting.Internal.ConsoleLifetime.", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generic_hosts_Run_RunAsync_Start_and_WaitForShutdown_are_refused_inside_the_program_never_a_hang()
    {
        using var p = new HostedProgram();
        Recorder r = p.Recorder;
        p.RunMain(async () =>
        {
            IHost Build()
            {
                HostApplicationBuilder builder = p.NewBuilder();
                builder.UseAioRun();
                builder.Services.AddHostedService<Greeter>();
                return builder.Build();
            }

            r.Add(Assert.Throws<InvalidOperationException>(() => Build().Run()).Message);
            r.Add(Assert.Throws<InvalidOperationException>(() => Build().Start()).Message);
            r.Add((await Assert.ThrowsAsync<InvalidOperationException>(() => Build().RunAsync())).Message);
            IHost host = Build();
            await host.StartAsync(Aio.CancellationToken);
            r.Add(Assert.Throws<InvalidOperationException>(() => host.WaitForShutdown()).Message);
            r.Add((await Assert.ThrowsAsync<InvalidOperationException>(() => host.WaitForShutdownAsync())).Message);
            Aio.Stop();
        });
        p.RunShutdown();

        string[] refusals = r.Lines.Where(l => l.StartsWith("host.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "host.Run()", "host.Start()", "host.RunAsync()", "host.WaitForShutdown()", "host.WaitForShutdownAsync()" }, refusals.Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)]));
        Assert.All(refusals, l => Assert.Contains("was called inside an AioRun program", l, StringComparison.Ordinal));
        Assert.All(refusals, l => Assert.Contains("'await host.StartAsync(Aio.CancellationToken);'", l, StringComparison.Ordinal));
    }

    public sealed class Greeter(Recorder r) : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            r.Add($"Greeter.StartAsync: on the loop {Recorder.OnLoop}, task '{Aio.CurrentTask?.Name}'");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            r.Add("Greeter.StopAsync");
            return Task.CompletedTask;
        }

        public void Dispose() => r.Add("Greeter disposed");
    }

    public sealed class Ticker(Recorder r) : BackgroundService
    {
        public override Task StopAsync(CancellationToken cancellationToken)
        {
            r.Add("Ticker.StopAsync");
            return base.StopAsync(cancellationToken);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            r.Add($"Ticker executes: on the loop {Recorder.OnLoop}, task '{Aio.CurrentTask?.Name}'");
            await Aio.Sleep(0.1);
            r.Add($"Ticker resumed: on the loop {Recorder.OnLoop}, task '{Aio.CurrentTask?.Name}'");
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                r.Add($"Ticker cancelled (stopping token cancelled: {stoppingToken.IsCancellationRequested})");
                throw;
            }
        }
    }

    public sealed class SlowStop(Recorder r) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            r.Add("SlowStop.StopAsync begins");
            await Aio.Sleep(5, CancellationToken.None);
            r.Add("SlowStop.StopAsync ends");
        }
    }

    public sealed class StuckStop : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Aio.Sleep(double.PositiveInfinity, CancellationToken.None);
    }

    public sealed class Saver(Recorder r) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Aio.Sleep(3600, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                r.Add("Saver stops; saving");
                Task save = Aio.ShutdownWaitsFor(
                    async ct =>
                    {
                        await Aio.Sleep(2, ct);
                        r.Add("Saver saved");
                    },
                    "save");
                try
                {
                    await save;
                }
                catch (OperationCanceledException)
                {
                    r.Add("Saver's caller was cancelled at once");
                    throw;
                }
            }
        }
    }

    public sealed class Failing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Aio.Sleep(0, stoppingToken);
            throw new FormatException("the service failed");
        }
    }
}
