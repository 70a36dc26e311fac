using System;
using AioRun.Options;

namespace AioRun.Entry;

/// <summary>
/// A value for each row of the options table (<see cref="EntryOptions.All"/>), or <see langword="null"/> where the
/// option is not set: the options of an attribute, of a project, or of a program. Equatable, so that the generator's
/// steps can cache it.
/// </summary>
internal readonly struct OptionValues : IEquatable<OptionValues>
{
    private readonly EquatableArray<object?> _values;

    private OptionValues(object?[] values) => _values = new EquatableArray<object?>(values);

    /// <summary>No option set.</summary>
    public static OptionValues None => new(new object?[EntryOptions.All.Length]);

    /// <summary>Whether no option is set.</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (object? value in _values)
            {
                if (value is not null)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The value of <paramref name="option"/>, or <see langword="null"/> if it is not set.</summary>
    public object? this[EntryOption option] => _values.Count == 0 ? null : _values[option.Index];

    /// <summary>The value of <paramref name="option"/>, or <see langword="null"/> if it is not set.</summary>
    public T? Get<T>(EntryOption<T> option)
        where T : struct, IEquatable<T> => this[option] is T value ? value : null;

    /// <summary>These values with <paramref name="option"/> set to <paramref name="value"/>.</summary>
    public OptionValues With(EntryOption option, object? value)
    {
        object?[] values = ToArray();
        values[option.Index] = value;
        return new OptionValues(values);
    }

    /// <summary>These values, and <paramref name="fallback"/>'s where these are not set (the attribute wins over the project).</summary>
    public OptionValues Or(OptionValues fallback)
    {
        object?[] values = ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] ??= fallback._values.Count == 0 ? null : fallback._values[i];
        }

        return new OptionValues(values);
    }

    /// <summary>These values with every default left out: what a program must set beyond the runtime's defaults.</summary>
    public OptionValues WithoutDefaults()
    {
        object?[] values = ToArray();
        foreach (EntryOption option in EntryOptions.All)
        {
            if (values[option.Index] is { } value && option.IsDefault(value))
            {
                values[option.Index] = null;
            }
        }

        return new OptionValues(values);
    }

    public bool Equals(OptionValues other) => _values.Equals(other._values);

    public override bool Equals(object? obj) => obj is OptionValues other && Equals(other);

    public override int GetHashCode() => _values.GetHashCode();

    private object?[] ToArray()
    {
        var values = new object?[EntryOptions.All.Length];
        for (int i = 0; i < _values.Count; i++)
        {
            values[i] = _values[i];
        }

        return values;
    }
}
