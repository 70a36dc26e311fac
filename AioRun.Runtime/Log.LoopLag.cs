using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>The loop-lag watchdog's lines (event ids 20–29).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Loop blocked for {Milliseconds} ms so far by {Culprit}")]
    public static partial void LoopBlockedSoFar(ILogger logger, long milliseconds, string culprit);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Loop blocked for {Milliseconds} ms by {Culprit}")]
    public static partial void LoopBlocked(ILogger logger, long milliseconds, string culprit);
}
