using Microsoft.CodeAnalysis;

namespace AioRun.Analyzers;

// AIO1xx: the [AioRunEntry] method and its options (docs/entry.md). All are errors: the generated program could not run
// such an entry as written, so the build must not succeed silently without it.
internal static partial class Descriptors
{
    public static readonly DiagnosticDescriptor EntryTypeNotPartial = Rule(
        "AIO100",
        "The type of an [AioRunEntry] method must be partial",
        "{0} must be partial: the generated program adds an accessor to the type of '{1}' and declares every type that contains it",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The generator adds an internal accessor for the entry to its type, so that a private Main can be called; that needs the type, and every type that contains it, to be partial.");

    public static readonly DiagnosticDescriptor EntryNotStatic = Rule(
        "AIO101",
        "An [AioRunEntry] method must be static",
        "'{0}' must be static to be an [AioRunEntry] method",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The generated program calls the entry without an instance, as the runtime calls Main.");

    public static readonly DiagnosticDescriptor EntryReturnType = Rule(
        "AIO102",
        "An [AioRunEntry] method returns Task, Task<int>, ValueTask, ValueTask<int> or void",
        "'{0}' cannot return {1}: an [AioRunEntry] method returns Task, Task<int>, ValueTask, ValueTask<int> or void",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The entry runs as the loop's main task (Task, ValueTask; an int result is the exit code), or before the loop runs (void).");

    public static readonly DiagnosticDescriptor EntryParameterNotSupported = Rule(
        "AIO103",
        "Unsupported parameter of an [AioRunEntry] method",
        "Parameter '{0}' of '{1}' is not supported: {2}",
        EntryCategory,
        DiagnosticSeverity.Error,
        "An [AioRunEntry] method takes, in any order, string[] (the command line), CancellationToken (the main task's token) and AioLoop (the loop); a void entry has no main task, so no token.");

    public static readonly DiagnosticDescriptor EntryParameterRepeated = Rule(
        "AIO104",
        "Repeated parameter of an [AioRunEntry] method",
        "Parameter '{0}' of '{1}' repeats the {2} that '{3}' already takes: each of string[], CancellationToken and AioLoop is taken at most once",
        EntryCategory,
        DiagnosticSeverity.Error,
        "Each of the values the generated program passes (the command line, the main task's token, the loop) exists once.");

    public static readonly DiagnosticDescriptor EntryNotCallable = Rule(
        "AIO105",
        "The generated program cannot call this [AioRunEntry] method",
        "'{0}' cannot be an [AioRunEntry] method: {1}",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The generated program calls the entry directly: it cannot supply type arguments, reach a file-local type, or call an abstract or virtual method.");

    public static readonly DiagnosticDescriptor EntryRepeated = Rule(
        "AIO106",
        "A program has one [AioRunEntry] method",
        "[AioRunEntry] is on {0} methods ({1}); a program has one entry",
        EntryCategory,
        DiagnosticSeverity.Error,
        "One program runs one loop with one entry; the generator runs only the first by name.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor EntryNotExecutable = Rule(
        "AIO107",
        "[AioRunEntry] needs an executable project",
        "'{0}' is an [AioRunEntry] method, but the project builds a {1}; set <OutputType>Exe</OutputType>",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The entry is run by a generated program entry point, which only an executable has.");

    public static readonly DiagnosticDescriptor EntryWithTopLevelStatements = Rule(
        "AIO108",
        "[AioRunEntry] in a project with top-level statements",
        "'{0}' is an [AioRunEntry] method, but '{1}' already has top-level statements; a program has one entry point: move that code into the entry",
        EntryCategory,
        DiagnosticSeverity.Error,
        "AioRun generates the program's entry point as top-level statements; a project that has its own gets no generated program.");

    public static readonly DiagnosticDescriptor EntryMemberNotFound = Rule(
        "AIO109",
        "ShutdownCallback or ShutdownHandler names no method",
        "{0} = \"{1}\": '{2}' has no member of that name",
        EntryCategory,
        DiagnosticSeverity.Error,
        "ShutdownCallback and ShutdownHandler name a static method of the entry's own type (use nameof).");

    public static readonly DiagnosticDescriptor EntryMemberWrongShape = Rule(
        "AIO110",
        "ShutdownCallback or ShutdownHandler has the wrong shape",
        "{0} = \"{1}\" cannot be used: {2}",
        EntryCategory,
        DiagnosticSeverity.Error,
        "A shutdown callback is static void/Task/ValueTask Name() or Name(AioLoop loop); a shutdown handler is static void Name(AioLoop loop); exactly one method of the name has that shape.");

    public static readonly DiagnosticDescriptor EntryLoopType = Rule(
        "AIO111",
        "LoopType is not a usable AioLoop",
        "LoopType '{0}' cannot be used: {1}",
        EntryCategory,
        DiagnosticSeverity.Error,
        "The generated program creates the loop with new LoopType(): a concrete class deriving from AioRun.AioLoop, with a public parameterless constructor, that the program can reach.");

    public static readonly DiagnosticDescriptor EntryOptionOutOfRange = Rule(
        "AIO112",
        "AioRun option out of range",
        "{0} is {1} in {2}; {3}",
        EntryCategory,
        DiagnosticSeverity.Error,
        "Each option of [AioRunEntry] and its AioRun* MSBuild property has a range (the README's options table): a boolean is true or false, ShutdownTimeoutSeconds is zero or more seconds (Infinity: no timeout), ExecutorWorkers is 0 (no bound) or more, LoopLagWarningMilliseconds is 0 (off) or more.");

    public static readonly DiagnosticDescriptor EntryWithStartupObject = Rule(
        "AIO113",
        "[AioRunEntry] in a project that sets StartupObject",
        "'{0}' is an [AioRunEntry] method, but the project sets <StartupObject> to '{1}'; the generated program is the entry point: remove <StartupObject>",
        EntryCategory,
        DiagnosticSeverity.Error,
        "AioRun generates the program's entry point as top-level statements, which the compiler refuses to combine with a startup object (CS8804); with one set, no program is generated.");
}
