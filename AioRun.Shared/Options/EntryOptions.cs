using System;
using System.Globalization;

namespace AioRun.Options;

// Compiled into the generator, the analyzers and the runtime (linked source), so that every part reads one table.

/// <summary>
/// The options table: every option that <c>[AioRunEntry]</c> and the csproj can both set. The attribute wins over the
/// csproj; an option set on neither has the row's default. Adding an option is a row here (and in <see cref="All"/>),
/// the <c>[AioRunEntry]</c> and <c>AioRunOptions</c> properties it names, and its behaviour in the runtime; the tests
/// check that build/AioRun.props, build/AioRun.targets, the README and docs/entry.md list every row.
/// </summary>
internal static class EntryOptions
{
    /// <summary>
    /// <see cref="ShutdownTimeoutSeconds"/>'s default, as a constant: the runtime's defaults read it without building this
    /// table (its delegates and generic rows are JIT work that a program's start does not need).
    /// </summary>
    public const double DefaultShutdownTimeoutSeconds = 60;

    /// <summary><see cref="LoopLagWarningMilliseconds"/>'s default, as a constant (see <see cref="DefaultShutdownTimeoutSeconds"/>).</summary>
    public const int DefaultLoopLagWarningMilliseconds = 100;

    /// <summary>The largest timeout a <see cref="TimeSpan"/> can hold, in whole seconds.</summary>
    public static readonly double MaxShutdownTimeoutSeconds = Math.Floor(TimeSpan.MaxValue.TotalSeconds);

    public static readonly EntryOption<bool> StopOnUnhandledErrors = Switch("StopOnUnhandledErrors", "AioRunStopOnUnhandled", "StopOnUnhandledErrors");

    /// <summary>aiorun's <c>timeout_task_shutdown</c>: 60 seconds.</summary>
    public static readonly EntryOption<double> ShutdownTimeoutSeconds = new(
        name: "ShutdownTimeoutSeconds",
        msbuildProperty: "AioRunShutdownTimeout",
        runtimeProperty: "ShutdownTimeout",
        defaultValue: DefaultShutdownTimeoutSeconds,
        projectValues: "seconds, zero or more, or Infinity",
        range: "it must be a number of seconds, zero or more (Infinity for no timeout)",
        isValid: IsValidTimeout,
        parse: TryParseSeconds,
        format: FormatDouble,
        runtimeValue: static seconds => double.IsPositiveInfinity(seconds)
            ? "global::System.Threading.Timeout.InfiniteTimeSpan"
            : "global::System.TimeSpan.FromSeconds(" + FormatDouble(seconds) + ")");

    public static readonly EntryOption<int> ExecutorWorkers = new(
        name: "ExecutorWorkers",
        msbuildProperty: "AioRunExecutorWorkers",
        runtimeProperty: "ExecutorWorkers",
        defaultValue: 0,
        projectValues: "0 (no bound) or more",
        range: "it must be 0 (no bound) or more",
        isValid: static workers => workers >= 0,
        parse: static (string text, out int workers) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out workers),
        format: static workers => workers.ToString(CultureInfo.InvariantCulture),
        runtimeValue: static workers => workers.ToString(CultureInfo.InvariantCulture));

    /// <summary>A second SIGINT/SIGTERM during the shutdown writes the task report and exits at once (128 + the signal).</summary>
    public static readonly EntryOption<bool> EscalateOnSecondSignal = Switch("EscalateOnSecondSignal", "AioRunEscalateOnSecondSignal", "EscalateOnSecondSignal");

    /// <summary>How long one callback may hold the loop thread before a warning names it; 0 turns the watchdog off.</summary>
    public static readonly EntryOption<int> LoopLagWarningMilliseconds = new(
        name: "LoopLagWarningMilliseconds",
        msbuildProperty: "AioRunLoopLagWarning",
        runtimeProperty: "LoopLagWarning",
        defaultValue: DefaultLoopLagWarningMilliseconds,
        projectValues: "milliseconds, 0 (off) or more",
        range: "it must be a number of milliseconds, 0 (off) or more",
        isValid: static milliseconds => milliseconds >= 0,
        parse: static (string text, out int milliseconds) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out milliseconds),
        format: static milliseconds => milliseconds.ToString(CultureInfo.InvariantCulture),
        runtimeValue: static milliseconds => "global::System.TimeSpan.FromMilliseconds(" + milliseconds.ToString(CultureInfo.InvariantCulture) + ")");

    /// <summary>
    /// .NET's socket engine runs socket completions on its own thread instead of queuing them to the thread pool, so
    /// a continuation on the default loop takes one hop instead of two. Process-wide: every continuation that does not
    /// go to the loop then runs on the engine thread (see docs/epoll-loop.md).
    /// </summary>
    public static readonly EntryOption<bool> InlineSocketCompletions = Switch("InlineSocketCompletions", "AioRunInlineSocketCompletions", "InlineSocketCompletions");

    /// <summary>Every row, in the order the generated program sets them.</summary>
    public static readonly EntryOption[] All = Indexed(StopOnUnhandledErrors, ShutdownTimeoutSeconds, ExecutorWorkers, EscalateOnSecondSignal, LoopLagWarningMilliseconds, InlineSocketCompletions);

    /// <summary>The row of the attribute property <paramref name="name"/>, if it is an option of the table.</summary>
    public static EntryOption? Find(string name)
    {
        foreach (EntryOption option in All)
        {
            if (option.Name == name)
            {
                return option;
            }
        }

        return null;
    }

    /// <summary>A row whose values are true or false, off by default.</summary>
    private static EntryOption<bool> Switch(string name, string msbuildProperty, string runtimeProperty) => new(
        name,
        msbuildProperty,
        runtimeProperty,
        defaultValue: false,
        projectValues: "true | false",
        range: "it must be true or false",
        isValid: static _ => true,
        parse: bool.TryParse,
        format: static value => value ? "true" : "false",
        runtimeValue: static value => value ? "true" : "false");

    /// <summary>Zero or more seconds that a TimeSpan can hold, or +∞. NaN and negatives are out of range.</summary>
    public static bool IsValidTimeout(double seconds) =>
        double.IsPositiveInfinity(seconds) || (seconds >= 0 && seconds <= MaxShutdownTimeoutSeconds);

    /// <summary>A double as C# source and as a user reads it (round-trip, invariant culture).</summary>
    public static string FormatDouble(double value) =>
        double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static bool TryParseSeconds(string text, out double seconds)
    {
        if (string.Equals(text, "infinite", StringComparison.OrdinalIgnoreCase))
        {
            seconds = double.PositiveInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);
    }

    private static EntryOption[] Indexed(params EntryOption[] rows)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i].Index = i;
        }

        return rows;
    }
}
