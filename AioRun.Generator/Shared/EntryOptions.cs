using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Entry;

// Compiled into both AioRun.Generator and AioRun.Analyzers (linked source): one reading of the options,
// so that what the analyzer reports out of range is exactly what the generator leaves out.

/// <summary>The options set explicitly on <c>[AioRunEntry]</c> (<see langword="null"/>: not set there).</summary>
internal readonly record struct AttributeOptions(bool? StopOnUnhandledErrors, double? ShutdownTimeoutSeconds, int? ExecutorWorkers)
{
    public static AttributeOptions Read(AttributeData attribute)
    {
        bool? stop = null;
        double? timeout = null;
        int? workers = null;
        foreach (var argument in attribute.NamedArguments)
        {
            object? value = argument.Value.Kind == TypedConstantKind.Primitive ? argument.Value.Value : null;
            switch (argument.Key)
            {
                case EntryShape.StopOnUnhandledErrors when value is bool b:
                    stop = b;
                    break;
                case EntryShape.ShutdownTimeoutSeconds when value is double d:
                    timeout = d;
                    break;
                case EntryShape.ExecutorWorkers when value is int i:
                    workers = i;
                    break;
            }
        }

        return new AttributeOptions(stop, timeout, workers);
    }
}

/// <summary>The <c>AioRun*</c> MSBuild properties, as the compiler sees them (<c>build_property.*</c>), unparsed.</summary>
internal readonly record struct ProjectOptionTexts(string? StopOnUnhandled, string? ShutdownTimeout, string? ExecutorWorkers)
{
    public const string StopOnUnhandledProperty = "AioRunStopOnUnhandled";
    public const string ShutdownTimeoutProperty = "AioRunShutdownTimeout";
    public const string ExecutorWorkersProperty = "AioRunExecutorWorkers";

    public static ProjectOptionTexts Read(AnalyzerConfigOptions globalOptions) =>
        new(Get(globalOptions, StopOnUnhandledProperty), Get(globalOptions, ShutdownTimeoutProperty), Get(globalOptions, ExecutorWorkersProperty));

    private static string? Get(AnalyzerConfigOptions options, string property) =>
        options.TryGetValue("build_property." + property, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>Parsing and range rules shared by the attribute and the csproj.</summary>
internal static class OptionRules
{
    public const string TimeoutRange = "it must be a number of seconds, zero or more (Infinity for no timeout)";
    public const string WorkersRange = "it must be 0 (no bound) or more";
    public const string BoolRange = "it must be true or false";

    /// <summary>Zero or more seconds that a TimeSpan can hold, or +∞. NaN and negatives are out of range.</summary>
    public static bool IsValidTimeout(double seconds) =>
        double.IsPositiveInfinity(seconds) || (seconds >= 0 && seconds <= EntryShape.MaxShutdownTimeoutSeconds);

    public static bool IsValidWorkers(int workers) => workers >= 0;

    public static bool TryParseBool(string text, out bool value) => bool.TryParse(text, out value);

    public static bool TryParseTimeout(string text, out double seconds)
    {
        if (string.Equals(text, "infinite", StringComparison.OrdinalIgnoreCase))
        {
            seconds = double.PositiveInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && IsValidTimeout(seconds);
    }

    public static bool TryParseWorkers(string text, out int workers) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out workers) && IsValidWorkers(workers);

    /// <summary>A double as C# source and as a user reads it (round-trip, invariant culture).</summary>
    public static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
