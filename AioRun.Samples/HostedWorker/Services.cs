using AioRun;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>The Ticker's section of appsettings.json.</summary>
public sealed class TickerOptions
{
    public double IntervalSeconds { get; set; } = 1.0;

    public string Greeting { get; set; } = "hello";
}

/// <summary>The Journal's section of appsettings.json.</summary>
public sealed class JournalOptions
{
    public double FlushEverySeconds { get; set; } = 5.0;

    /// <summary>How long the final flush takes (a slow disk): past the host's ShutdownTimeout, the host gives up on it.</summary>
    public double FinalFlushSeconds { get; set; } = 0.2;
}

/// <summary>
/// Ticks on the loop (its task is named 'Ticker' in the task report) and writes each tick to the Journal (injected). When
/// the host stops it, it saves its state under ShutdownWaitsFor: the shutdown waits for that, whatever the host's timeout.
/// </summary>
public sealed partial class Ticker(Journal journal, IOptions<TickerOptions> options, ILogger<Ticker> logger) : BackgroundService
{
    private int _ticks;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                // Observes the task's cancellation: the host's stop ends it, as it cancels stoppingToken.
                await Aio.Sleep(options.Value.IntervalSeconds);
                _ticks++;
                journal.Write($"tick {_ticks}");
                LogTick(logger, _ticks, options.Value.Greeting);
            }
        }
        catch (OperationCanceledException)
        {
            LogStopping(logger, _ticks);
            _ = Aio.ShutdownWaitsFor(SaveStateAsync, "ticker-state");
            throw;
        }
    }

    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        await Aio.Sleep(0.5, cancellationToken);
        LogSaved(logger, _ticks);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tick {Tick}: {Greeting}")]
    private static partial void LogTick(ILogger logger, int tick, string greeting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticker stopping after {Ticks} ticks; saving its state")]
    private static partial void LogStopping(ILogger logger, int ticks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticker state saved ({Ticks} ticks)")]
    private static partial void LogSaved(ILogger logger, int ticks);
}

/// <summary>
/// Collects lines and flushes them every few seconds; its StopAsync makes a final flush that ignores the host's token (a
/// slow disk), so a FinalFlushSeconds above the host's ShutdownTimeout shows the host giving up and AioRun still waiting.
/// </summary>
public sealed partial class Journal(IOptions<JournalOptions> options, ILogger<Journal> logger) : BackgroundService
{
    private readonly List<string> _pending = new();

    /// <summary>Code on the loop only: no lock needed.</summary>
    public void Write(string line) => _pending.Add(line);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            await Aio.Sleep(options.Value.FlushEverySeconds, stoppingToken);
            LogFlushed(logger, _pending.Count);
            _pending.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        LogFinalFlush(logger, _pending.Count);
        await Aio.Sleep(options.Value.FinalFlushSeconds, CancellationToken.None);
        LogFinalFlushDone(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal flushed {Count} lines")]
    private static partial void LogFlushed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal final flush of {Count} lines")]
    private static partial void LogFinalFlush(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal final flush done")]
    private static partial void LogFinalFlushDone(ILogger logger);
}
