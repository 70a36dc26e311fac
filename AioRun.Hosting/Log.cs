using System;
using Microsoft.Extensions.Logging;

namespace AioRun.Hosting;

/// <summary>Every line AioRun.Hosting logs (category <c>AioRun.Hosting</c>, and the Generic Host's <c>Microsoft.Hosting.Lifetime</c> lines).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Hosting starting")]
    public static partial void Starting(ILogger logger);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Hosting started")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Hosting failed to start")]
    public static partial void FailedToStart(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Hosting stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Hosting stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Hosting failed to stop")]
    public static partial void FailedToStop(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning,
        Message = "{Step} did not finish within the host's ShutdownTimeout of {TimeoutSeconds} s; the host gives up on it and the shutdown goes on (it waits for it with the pending tasks, within AioRun's shutdown timeout).")]
    public static partial void StopStepTimedOut(ILogger logger, string step, double timeoutSeconds);

    [LoggerMessage(EventId = 107, Level = LogLevel.Critical,
        Message = "BackgroundService '{Name}' failed and HostOptions.BackgroundServiceExceptionBehavior is StopHost: stopping the loop. Set it to Ignore to keep the program running without that service.")]
    public static partial void BackgroundServiceStopsTheProgram(ILogger logger, string name);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "IHostApplicationLifetime.StopApplication() was called: stopping the loop.")]
    public static partial void StopRequested(ILogger logger);

    /// <summary>The three lines the Generic Host's ConsoleLifetime logs when the application has started.</summary>
    public static void ApplicationStarted(ILogger logger, string environment, string contentRoot)
    {
        ApplicationStarted(logger);
        HostingEnvironment(logger, environment);
        ContentRoot(logger, contentRoot);
    }

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "Application started. Press Ctrl+C to shut down.")]
    private static partial void ApplicationStarted(ILogger logger);

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "Hosting environment: {EnvName}")]
    private static partial void HostingEnvironment(ILogger logger, string envName);

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "Content root path: {ContentRoot}")]
    public static partial void ContentRoot(ILogger logger, string contentRoot);

    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "Application is shutting down...")]
    public static partial void ApplicationStopping(ILogger logger);
}
