using AioRun.Entry;

namespace AioRun.Generator;

// The generator's model: plain, equatable data (no symbols, syntax or locations), so that the incremental
// pipeline can cache every step. The parser builds it, the emitter only reads it.

/// <summary>One callable <c>[AioRunEntry]</c> method.</summary>
/// <param name="Target">What the accessors need: where the entry is and what it, its callback and its handler look like.</param>
/// <param name="Options">The options set on the attribute (validated by the parser; out-of-range values are dropped).</param>
/// <param name="LoopType">The resolved <c>LoopType</c>, fully qualified, if any.</param>
/// <param name="SortKey">Orders several entries deterministically (only one is run); the entry as C# shows it.</param>
internal sealed record EntryModel(EntryTarget Target, AttributeOptions Options, string? LoopType, string SortKey);

/// <summary>The entry's place and shape, and its resolved shutdown callback and handler: all the accessors depend on.</summary>
/// <param name="Namespace">The containing namespace as written in C# (<see langword="null"/> for the global namespace).</param>
/// <param name="Types">The containing types, outermost first.</param>
/// <param name="FirstAccessorLevel">
/// The index in <paramref name="Types"/> of the outermost type that gets accessors. The generated program calls the
/// accessor of that type; each type below it forwards to the next, so that private nested types stay reachable.
/// </param>
/// <param name="MethodName">The entry method's name, escaped for C#.</param>
/// <param name="Return">What it returns.</param>
/// <param name="Parameters">What its parameters receive, in the declared order.</param>
/// <param name="ShutdownCallback">The resolved <c>ShutdownCallback</c>, if any.</param>
/// <param name="ShutdownHandler">The resolved <c>ShutdownHandler</c>'s name, if any.</param>
internal sealed record EntryTarget(
    string? Namespace,
    EquatableArray<ContainingType> Types,
    int FirstAccessorLevel,
    string MethodName,
    EntryReturn Return,
    EquatableArray<EntryParameter> Parameters,
    ShutdownCallbackModel? ShutdownCallback,
    string? ShutdownHandler)
{
    /// <summary>The type whose accessors the generated program calls, <c>global::</c>-qualified.</summary>
    public string AccessorHost
    {
        get
        {
            var name = new System.Text.StringBuilder("global::");
            if (Namespace is not null)
            {
                name.Append(Namespace).Append('.');
            }

            for (int i = 0; i <= FirstAccessorLevel; i++)
            {
                name.Append(i == 0 ? string.Empty : ".").Append(Types[i].Name);
            }

            return name.ToString();
        }
    }
}

/// <summary>A containing type, as its generated partial declaration needs it.</summary>
/// <param name="Modifiers">The declaration's keywords up to the name, e.g. <c>static partial class</c>, <c>readonly partial record struct</c>.</param>
/// <param name="Name">The type's name, escaped for C#.</param>
internal sealed record ContainingType(string Modifiers, string Name);

/// <summary>A resolved shutdown callback.</summary>
internal sealed record ShutdownCallbackModel(string Name, CallbackReturn Return, bool TakesLoop);

/// <summary>The valid <c>AioRun*</c> MSBuild properties (invalid or absent ones are <see langword="null"/>).</summary>
internal sealed record ProjectOptions(bool? StopOnUnhandledErrors, double? ShutdownTimeoutSeconds, int? ExecutorWorkers)
{
    public static ProjectOptions Parse(ProjectOptionTexts texts) => new(
        texts.StopOnUnhandled is { } stop && OptionRules.TryParseBool(stop, out bool b) ? b : null,
        texts.ShutdownTimeout is { } timeout && OptionRules.TryParseTimeout(timeout, out double d) ? d : null,
        texts.ExecutorWorkers is { } workers && OptionRules.TryParseWorkers(workers, out int i) ? i : null);
}

/// <summary>What the compilation says about where a program may be generated.</summary>
internal sealed record ProgramFacts(bool IsExecutable, bool HasStartupObject, bool HasTopLevelStatements)
{
    /// <summary>
    /// An executable without top-level statements (they would clash, CS8802) and without a startup object (the compiler
    /// refuses one beside top-level statements, CS8804). Otherwise the analyzer reports AIO107, AIO108 or AIO113.
    /// </summary>
    public bool CanHostProgram => IsExecutable && !HasStartupObject && !HasTopLevelStatements;
}

/// <summary>The options the program runs with, after the attribute won over the csproj; <see langword="null"/> or false: the runtime's default.</summary>
internal readonly record struct ProgramOptions(bool StopOnUnhandledErrors, double? ShutdownTimeoutSeconds, int? ExecutorWorkers)
{
    public bool AreDefault => !StopOnUnhandledErrors && ShutdownTimeoutSeconds is null && ExecutorWorkers is null;

    public static ProgramOptions Merge(AttributeOptions attribute, ProjectOptions project)
    {
        bool stop = attribute.StopOnUnhandledErrors ?? project.StopOnUnhandledErrors ?? false;
        double timeout = attribute.ShutdownTimeoutSeconds ?? project.ShutdownTimeoutSeconds ?? EntryShape.DefaultShutdownTimeoutSeconds;
        int workers = attribute.ExecutorWorkers ?? project.ExecutorWorkers ?? 0;
        return new ProgramOptions(
            stop,
            timeout == EntryShape.DefaultShutdownTimeoutSeconds ? null : timeout,
            workers == 0 ? null : workers);
    }
}

/// <summary>The program to emit.</summary>
internal sealed record ProgramModel(EntryModel Entry, ProgramOptions Options);
