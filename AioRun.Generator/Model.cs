using AioRun.Entry;

namespace AioRun.Generator;

// The generator's model: plain, equatable data (no symbols, syntax or locations, and no logic), so that the
// incremental pipeline can cache every step. The parser builds it, the emitter only reads it.

/// <summary>One callable <c>[AioRunEntry]</c> method.</summary>
/// <param name="Target">What the accessors need: where the entry is and what it, its callback and its handler look like.</param>
/// <param name="Options">The options set on the attribute that are in range (the others are left out).</param>
/// <param name="LoopType">The usable <c>LoopType</c>, fully qualified, if any.</param>
/// <param name="SortKey">Orders several entries deterministically (only one is run); the entry as C# shows it.</param>
/// <param name="SourceFile">
/// The file that declares the entry, as <c>[CallerFilePath]</c> would give it there: the main task's creation site names
/// it instead of the generated program.
/// </param>
/// <param name="SourceLine">The line of the entry's name in <paramref name="SourceFile"/>, from 1.</param>
internal sealed record EntryModel(EntryTarget Target, OptionValues Options, string? LoopType, string SortKey, string SourceFile, int SourceLine);

/// <summary>The entry's place and shape, and its resolved shutdown callback and handler: all the accessors depend on.</summary>
/// <param name="Namespace">The containing namespace as written in C# (<see langword="null"/> for the global namespace).</param>
/// <param name="Types">The containing types, outermost first.</param>
/// <param name="FirstAccessorLevel">
/// The index in <paramref name="Types"/> of the outermost type that gets accessors. The generated program calls the
/// accessor of that type; each type below it forwards to the next, so that private nested types stay reachable.
/// </param>
/// <param name="AccessorHost">The type at <paramref name="FirstAccessorLevel"/>, <c>global::</c>-qualified: whose accessors the program calls.</param>
/// <param name="MethodName">The entry method's name, escaped for C#.</param>
/// <param name="Return">What it returns.</param>
/// <param name="Parameters">What its parameters receive, in the declared order.</param>
/// <param name="ShutdownCallback">The resolved <c>ShutdownCallback</c>, if any.</param>
/// <param name="ShutdownHandler">The resolved <c>ShutdownHandler</c>'s name, if any.</param>
internal sealed record EntryTarget(
    string? Namespace,
    EquatableArray<ContainingType> Types,
    int FirstAccessorLevel,
    string AccessorHost,
    string MethodName,
    EntryReturn Return,
    EquatableArray<EntryParameter> Parameters,
    ShutdownCallbackModel? ShutdownCallback,
    string? ShutdownHandler);

/// <summary>A containing type, as its generated partial declaration needs it.</summary>
/// <param name="Modifiers">The declaration's keywords up to the name, e.g. <c>static partial class</c>, <c>readonly partial record struct</c>.</param>
/// <param name="Name">The type's name, escaped for C#.</param>
internal sealed record ContainingType(string Modifiers, string Name);

/// <summary>A resolved shutdown callback.</summary>
internal sealed record ShutdownCallbackModel(string Name, CallbackReturn Return, bool TakesLoop);

/// <summary>The program to emit.</summary>
/// <param name="Entry">The entry it runs.</param>
/// <param name="Options">The options it sets beyond the runtime's defaults (the attribute's won over the project's).</param>
internal sealed record ProgramModel(EntryModel Entry, OptionValues Options);
