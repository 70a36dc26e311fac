using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioRunService1;

/// <summary>
/// A background service. Under UseAioRun() its ExecuteAsync runs on the loop thread as a tracked task named after
/// the type; the shutdown cancels <c>stoppingToken</c> and waits for it.
/// </summary>
sealed class Worker(ILogger<Worker> logger, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan interval = TimeSpan.FromSeconds(configuration.GetValue("Worker:IntervalSeconds", 5.0));
        logger.LogInformation("Worker started; working every {Interval}.", interval);
        try
        {
            while (true)
            {
                logger.LogInformation("working");
                await Task.Delay(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogInformation("Worker stopped.");
        }
    }
}
