using System;
using System.IO;
using Microsoft.Extensions.Logging;

namespace AioRun;

/// <summary>
/// Where AioRun logs when no logger is given: standard error, one line per message (aiorun's texts,
/// unadorned), the exception's stack trace after it, at or above <see cref="MinimumLevel"/>.
/// </summary>
/// <remarks>
/// The level comes from the <c>AIORUN_LOG_LEVEL</c> environment variable (<c>Trace</c>, <c>Debug</c>,
/// <c>Information</c>, <c>Warning</c>, <c>Error</c>, <c>Critical</c> or <c>None</c>; default
/// <c>Information</c>) and may be changed in code. To log elsewhere, set <see cref="AioLoop.Logger"/>
/// (any <see cref="ILogger"/>, e.g. <c>loggerFactory.CreateLogger("AioRun")</c>).
/// </remarks>
public static class AioLogging
{
    /// <summary>The environment variable that sets the default logger's level.</summary>
    public const string LevelVariable = "AIORUN_LOG_LEVEL";

    /// <summary>The log category AioRun uses.</summary>
    public const string Category = "AioRun";

    private static readonly StderrLogger s_default = new();

    static AioLogging()
    {
        string? configured = Environment.GetEnvironmentVariable(LevelVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            MinimumLevel = LogLevel.Information;
        }
        else if (Enum.TryParse(configured.Trim(), ignoreCase: true, out LogLevel level) && Enum.IsDefined(level))
        {
            MinimumLevel = level;
        }
        else
        {
            MinimumLevel = LogLevel.Information;
            Output.WriteLine(
                $"AioRun: {LevelVariable}='{configured}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None); using Information.");
        }
    }

    /// <summary>The least severe level the default logger writes.</summary>
    public static LogLevel MinimumLevel { get; set; }

    /// <summary>Where the default logger writes; standard error unless changed (tests may capture it).</summary>
    /// <remarks>
    /// On Linux, standard error is a writer of AioRun's own that writes UTF-8 to file descriptor 2 directly, one write
    /// per call, without setting up <see cref="Console"/> (which would cost the program's start several milliseconds);
    /// elsewhere it is <see cref="Console.Error"/>.
    /// </remarks>
    public static TextWriter Output { get; set; } = OperatingSystem.IsLinux() ? new StandardErrorWriter() : Console.Error;

    /// <summary>The default logger: standard error, plain lines.</summary>
    public static ILogger DefaultLogger => s_default;

    /// <summary>The default logger; the runtime's own lifecycle lines reach it through <see cref="Write"/>, without a formatter.</summary>
    internal sealed class StderrLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            WriteLine(exception is null ? formatter(state, exception) : formatter(state, exception) + Environment.NewLine + exception);
        }

        /// <summary>Writes <paramref name="message"/> as <see cref="Log{TState}"/> would with a plain message and no exception.</summary>
        public void Write(LogLevel logLevel, string message)
        {
            if (IsEnabled(logLevel))
            {
                WriteLine(message);
            }
        }

        private static void WriteLine(string line)
        {
            TextWriter output = Output;
            try
            {
                lock (output)
                {
                    output.WriteLine(line);
                    output.Flush();
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // An unwritable standard error (a closed pipe, a full disk) must not stop the program, nor turn every
                // lifecycle line into an error that is logged to the same place again.
            }
        }
    }
}
