using AioRun.Tests.Support;
using Xunit;
using static AioRun.Tests.Support.TestSource;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.BlockingCallAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// Hosted-service code is code on the loop where the project references AioRun.Hosting (UseAioRun() runs it on the loop
/// thread): the synchronous StartAsync/StopAsync of an IHostedService (and IHostedLifecycleService's four), and the
/// non-async overrides of BackgroundService's, are judged like async code. AIO003 stands for the four rules here.
/// </summary>
public class HostedServiceTests
{
    private const string HostingUsings = """
        using Microsoft.Extensions.Hosting;

        """;

    private static readonly Dictionary<string, string> Reported = new()
    {
        { "a synchronous ExecuteAsync override", """
                class Worker : BackgroundService
                {
                    protected override Task ExecuteAsync(CancellationToken stoppingToken)
                    {
                        [|Thread.Sleep(100)|];
                        return Task.CompletedTask;
                    }
                }
            """ },
        { "synchronous BackgroundService StartAsync and StopAsync overrides", """
                class Worker : BackgroundService
                {
                    public override Task StartAsync(CancellationToken cancellationToken)
                    {
                        string text = [|File.ReadAllText("settings.json")|];
                        return base.StartAsync(cancellationToken);
                    }

                    public override Task StopAsync(CancellationToken cancellationToken)
                    {
                        [|Thread.Sleep(100)|];
                        return base.StopAsync(cancellationToken);
                    }

                    protected override async Task ExecuteAsync(CancellationToken stoppingToken) => await Aio.Sleep(1);
                }
            """ },
        { "an IHostedService implemented implicitly", """
                class Greeter : IHostedService
                {
                    public Task StartAsync(CancellationToken cancellationToken)
                    {
                        [|Thread.Sleep(100)|];
                        return Task.CompletedTask;
                    }

                    public Task StopAsync(CancellationToken cancellationToken) => Task.FromResult([|File.ReadAllText("x")|]);
                }
            """ },
        { "an IHostedService implemented explicitly", """
                class Greeter : IHostedService
                {
                    Task IHostedService.StartAsync(CancellationToken cancellationToken)
                    {
                        [|Thread.Sleep(100)|];
                        return Task.CompletedTask;
                    }

                    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
                }
            """ },
        { "IHostedLifecycleService's members", """
                class Lifecycle : IHostedLifecycleService
                {
                    public Task StartingAsync(CancellationToken cancellationToken)
                    {
                        [|Thread.Sleep(1)|];
                        return Task.CompletedTask;
                    }

                    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
                    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
                    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
                    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

                    public Task StoppedAsync(CancellationToken cancellationToken)
                    {
                        [|Thread.Sleep(1)|];
                        return Task.CompletedTask;
                    }
                }
            """ },
        { "an override of an override of ExecuteAsync", """
                abstract class Base : BackgroundService
                {
                }

                class Worker : Base
                {
                    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.FromResult([|File.ReadAllText("x")|]);
                }
            """ },
        { "host.Run() and host.WaitForShutdown() in the entry", """
                static partial class Program
                {
                    [AioRunEntry]
                    static async Task Main(IHost host)
                    {
                        [|host.Run()|];
                        [|host.WaitForShutdown()|];
                        await Task.Yield();
                    }
                }
            """ },
    };

    private static readonly Dictionary<string, string> NotReported = new()
    {
        { "other synchronous members of a service", """
                class Worker : BackgroundService
                {
                    protected override async Task ExecuteAsync(CancellationToken stoppingToken) => await Aio.Sleep(1);

                    public Task LoadAsync()
                    {
                        Thread.Sleep(1);
                        return Task.CompletedTask;
                    }

                    public override void Dispose()
                    {
                        Thread.Sleep(1);
                        base.Dispose();
                    }
                }
            """ },
        { "a method of another interface with the same name", """
                interface IStartable
                {
                    Task StartAsync(CancellationToken cancellationToken);
                }

                class Job : IStartable
                {
                    public Task StartAsync(CancellationToken cancellationToken)
                    {
                        Thread.Sleep(1);
                        return Task.CompletedTask;
                    }
                }
            """ },
        { "the blocking work of a service in RunInExecutor", """
                class Worker : BackgroundService
                {
                    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
                        Aio.RunInExecutor(() => File.ReadAllText("x"));
                }
            """ },
    };

    public static TheoryData<string> ReportedCases => new(Reported.Keys);

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Blocking_calls_in_hosted_service_code_are_reported_where_the_project_uses_AioRun_Hosting(string name) =>
        Verify.Create(HostingUsings + Usings + Reported[name], References.Net10Hosted).RunAsync();

    public static TheoryData<string> NotReportedCases => new(NotReported.Keys);

    [Theory]
    [MemberData(nameof(NotReportedCases))]
    public Task Other_code_of_hosted_services_is_judged_as_before(string name) =>
        Verify.Create(HostingUsings + Usings + NotReported[name], References.Net10Hosted).RunAsync();

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Without_AioRun_Hosting_synchronous_service_code_is_not_code_on_the_loop(string name)
    {
        if (name.Contains("entry", StringComparison.Ordinal))
        {
            // The [AioRunEntry] is code on the loop with or without the Generic Host.
            return Verify.Create(HostingUsings + Usings + Reported[name], References.Net10GenericHost).RunAsync();
        }

        return Verify.Create(HostingUsings + Usings + WithoutMarkup(Reported[name]), References.Net10GenericHost).RunAsync();
    }
}
