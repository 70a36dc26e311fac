using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>Why an <c>[AioRunEntry]</c> cannot run as written: one kind per AIO1xx rule (AIO106, two entries, is decided across the compilation).</summary>
internal enum EntryProblemKind
{
    /// <summary>AIO100: the entry's type, or one around it, is not partial.</summary>
    TypeNotPartial,

    /// <summary>AIO101.</summary>
    NotStatic,

    /// <summary>AIO102.</summary>
    ReturnType,

    /// <summary>AIO103.</summary>
    ParameterNotSupported,

    /// <summary>AIO104.</summary>
    ParameterRepeated,

    /// <summary>AIO105: generic, abstract, not an ordinary method, in a type the program cannot reach, ...</summary>
    NotCallable,

    /// <summary>AIO107.</summary>
    NotExecutable,

    /// <summary>AIO108.</summary>
    TopLevelStatements,

    /// <summary>AIO109.</summary>
    MemberNotFound,

    /// <summary>AIO110.</summary>
    MemberWrongShape,

    /// <summary>AIO111.</summary>
    LoopType,

    /// <summary>AIO112.</summary>
    OptionOutOfRange,

    /// <summary>AIO113.</summary>
    StartupObject,
}

/// <summary>Where a problem is shown.</summary>
internal enum EntrySite
{
    /// <summary>The method's name.</summary>
    Method,

    /// <summary>The method's return type.</summary>
    ReturnType,

    /// <summary>One parameter (<see cref="EntryProblem.Parameter"/>).</summary>
    Parameter,

    /// <summary>The <c>[AioRunEntry]</c> attribute.</summary>
    Attribute,

    /// <summary>One named argument of the attribute (<see cref="EntryProblem.Argument"/>).</summary>
    Argument,
}

/// <summary>One problem of an entry: its kind, where it is, and the arguments of its message.</summary>
internal sealed class EntryProblem
{
    public EntryProblem(EntryProblemKind kind, EntrySite site, params string[] messageArguments)
    {
        Kind = kind;
        Site = site;
        MessageArguments = messageArguments;
    }

    public EntryProblemKind Kind { get; }

    public EntrySite Site { get; }

    /// <summary>The parameter, for <see cref="EntrySite.Parameter"/>.</summary>
    public IParameterSymbol? Parameter { get; init; }

    /// <summary>The named argument, for <see cref="EntrySite.Argument"/>.</summary>
    public string? Argument { get; init; }

    /// <summary>More places the problem involves (for AIO100: the types to make partial).</summary>
    public ImmutableArray<Location> AdditionalLocations { get; init; } = ImmutableArray<Location>.Empty;

    public string[] MessageArguments { get; }

    /// <summary>
    /// Whether the generated program can do without what is wrong: an option out of range, a shutdown callback or
    /// handler that cannot be used, or a loop type that cannot be created is left out, so the program still compiles
    /// and the user sees this problem rather than a cascade of compiler errors. Any other problem leaves no program.
    /// </summary>
    public bool IsLeftOut => Kind is EntryProblemKind.OptionOutOfRange or EntryProblemKind.MemberNotFound or EntryProblemKind.MemberWrongShape or EntryProblemKind.LoopType;
}
