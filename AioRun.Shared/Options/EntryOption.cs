using System;

namespace AioRun.Options;

/// <summary>
/// One row of the options table (<see cref="EntryOptions"/>): an option that <c>[AioRunEntry]</c> and the csproj can
/// both set, with its default and its range. The generator, the AIO112 analyzer, the runtime and the docs all follow
/// the row; values are boxed here, so that code which handles every option (reading, checking, merging, emitting)
/// is written once.
/// </summary>
internal abstract class EntryOption
{
    private protected EntryOption(string name, string msbuildProperty, string runtimeProperty, string projectValues, string range)
    {
        Name = name;
        MSBuildProperty = msbuildProperty;
        RuntimeProperty = runtimeProperty;
        ProjectValues = projectValues;
        Range = range;
    }

    /// <summary>The position of the row in <see cref="EntryOptions.All"/>.</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>The property of <c>[AioRunEntry]</c>.</summary>
    public string Name { get; }

    /// <summary>The csproj property (read as <c>build_property.&lt;name&gt;</c>; empty means the default).</summary>
    public string MSBuildProperty { get; }

    /// <summary>The property of <c>AioRunOptions</c> that the generated program sets when the value is not the default.</summary>
    public string RuntimeProperty { get; }

    /// <summary>What the csproj property accepts, as a reader of the project file needs it.</summary>
    public string ProjectValues { get; }

    /// <summary>The rule a value breaks when it is out of range, as the end of a diagnostic message.</summary>
    public string Range { get; }

    /// <summary>The default, as the docs and the csproj write it.</summary>
    public abstract string DefaultText { get; }

    /// <summary>The value of an attribute argument, if it has this option's type.</summary>
    public abstract bool TryRead(object? constant, out object value);

    /// <summary>Whether <paramref name="value"/> (of this option's type) is in range.</summary>
    public abstract bool IsValid(object value);

    /// <summary>Parses a csproj value; only values in range succeed.</summary>
    public abstract bool TryParse(string text, out object value);

    /// <summary>A value as a user reads it (and as C# writes a literal of it).</summary>
    public abstract string Format(object value);

    /// <summary>Whether <paramref name="value"/> is the default.</summary>
    public abstract bool IsDefault(object value);

    /// <summary>The C# expression the generated program assigns to <see cref="RuntimeProperty"/> for <paramref name="value"/>.</summary>
    public abstract string RuntimeValue(object value);
}

/// <summary>A row of the options table whose values are <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The attribute property's type.</typeparam>
internal sealed class EntryOption<T> : EntryOption
    where T : struct, IEquatable<T>
{
    private readonly Func<T, bool> _isValid;
    private readonly Parser _parse;
    private readonly Func<T, string> _format;
    private readonly Func<T, string> _runtimeValue;

    public EntryOption(
        string name,
        string msbuildProperty,
        string runtimeProperty,
        T defaultValue,
        string projectValues,
        string range,
        Func<T, bool> isValid,
        Parser parse,
        Func<T, string> format,
        Func<T, string> runtimeValue)
        : base(name, msbuildProperty, runtimeProperty, projectValues, range)
    {
        Default = defaultValue;
        _isValid = isValid;
        _parse = parse;
        _format = format;
        _runtimeValue = runtimeValue;
    }

    /// <summary>Parses a csproj value (the text is trimmed and not empty).</summary>
    public delegate bool Parser(string text, out T value);

    /// <summary>The default: what an option set nowhere means.</summary>
    public T Default { get; }

    /// <inheritdoc/>
    public override string DefaultText => _format(Default);

    /// <summary>Whether <paramref name="value"/> is in range.</summary>
    public bool IsValid(T value) => _isValid(value);

    /// <summary>A value as a user reads it.</summary>
    public string Format(T value) => _format(value);

    /// <inheritdoc/>
    public override bool TryRead(object? constant, out object value)
    {
        value = constant!;
        return constant is T;
    }

    /// <inheritdoc/>
    public override bool IsValid(object value) => _isValid((T)value);

    /// <inheritdoc/>
    public override bool TryParse(string text, out object value)
    {
        if (_parse(text, out T parsed) && _isValid(parsed))
        {
            value = parsed;
            return true;
        }

        value = Default;
        return false;
    }

    /// <inheritdoc/>
    public override string Format(object value) => _format((T)value);

    /// <inheritdoc/>
    public override bool IsDefault(object value) => Default.Equals((T)value);

    /// <inheritdoc/>
    public override string RuntimeValue(object value) => _runtimeValue((T)value);
}
