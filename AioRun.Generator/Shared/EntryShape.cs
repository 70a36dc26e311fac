using System;
using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

// Compiled into both AioRun.Generator and AioRun.Analyzers (linked source): the generator and the AIO1xx
// analyzer must agree on what an entry looks like, so the rules live here once.

/// <summary>What an <c>[AioRunEntry]</c> method returns.</summary>
internal enum EntryReturn
{
    /// <summary>None of the accepted shapes.</summary>
    Unsupported,

    /// <summary><c>async void</c>: cannot be awaited, its errors crash the process.</summary>
    AsyncVoid,

    /// <summary><c>void</c>: runs before the loop (aiorun's <c>run(loop=loop)</c> without a coroutine).</summary>
    Void,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>Task&lt;int&gt;</c>: the exit code.</summary>
    TaskOfInt,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;int&gt;</c>: the exit code.</summary>
    ValueTaskOfInt,
}

/// <summary>What a parameter of an <c>[AioRunEntry]</c> method receives.</summary>
internal enum EntryParameter
{
    /// <summary>None of the accepted types.</summary>
    Unsupported,

    /// <summary><c>string[] args</c>: the command line.</summary>
    Args,

    /// <summary><c>CancellationToken</c>: the main task's token.</summary>
    CancellationToken,

    /// <summary><c>AioLoop</c>: the program's loop.</summary>
    Loop,
}

/// <summary>What a <c>ShutdownCallback</c> method returns.</summary>
internal enum CallbackReturn
{
    /// <summary><c>void</c>.</summary>
    Void,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,
}

/// <summary>How a <c>ShutdownCallback</c> or <c>ShutdownHandler</c> name resolved.</summary>
internal enum MemberResolution
{
    /// <summary>One usable method.</summary>
    Found,

    /// <summary>The type declares no member of that name.</summary>
    NotFound,

    /// <summary>Members of that name exist, none of the accepted shape.</summary>
    WrongShape,

    /// <summary>More than one method of that name has the accepted shape.</summary>
    Ambiguous,
}

/// <summary>The accepted shapes of entries, shutdown callbacks, shutdown handlers and loop types.</summary>
internal static class EntryShape
{
    public const string AttributeMetadataName = "AioRun.AioRunEntryAttribute";
    public const string LoopMetadataName = "AioRun.AioLoop";

    /// <summary>The hint name of the generated program (the file of top-level statements), which the analyzer must tell from others.</summary>
    public const string ProgramHintName = "AioRun.Program.g.cs";

    public const string StopOnUnhandledErrors = "StopOnUnhandledErrors";
    public const string ShutdownTimeoutSeconds = "ShutdownTimeoutSeconds";
    public const string ExecutorWorkers = "ExecutorWorkers";
    public const string ShutdownCallback = "ShutdownCallback";
    public const string ShutdownHandler = "ShutdownHandler";
    public const string LoopType = "LoopType";

    /// <summary>The attribute's default for <c>ShutdownTimeoutSeconds</c> (aiorun's <c>timeout_task_shutdown</c>).</summary>
    public const double DefaultShutdownTimeoutSeconds = 60;

    /// <summary>The largest timeout a <see cref="TimeSpan"/> can hold, in seconds.</summary>
    public static readonly double MaxShutdownTimeoutSeconds = Math.Floor(TimeSpan.MaxValue.TotalSeconds);

    /// <summary>The prefix of the generated accessors' names; a user member with such a name would clash with them.</summary>
    public const string AccessorPrefix = "__AioRun_";

    /// <summary>The tool name in the generated accessors' [GeneratedCode].</summary>
    public const string GeneratorName = "AioRun.Generator";

    /// <summary>The <c>[AioRunEntry]</c> that <paramref name="method"/> itself carries (not its return value), if any.</summary>
    public static AttributeData? FindEntryAttribute(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (IsEntryAttribute(attribute.AttributeClass))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>
    /// The first member of <paramref name="type"/> whose name the generated accessors reserve, if any. The accessors
    /// themselves (generated code the analyzer sees, the generator does not) carry [GeneratedCode("AioRun.Generator")].
    /// </summary>
    public static string? ReservedMemberName(INamedTypeSymbol type)
    {
        foreach (string name in type.MemberNames)
        {
            if (name.StartsWith(AccessorPrefix, StringComparison.Ordinal))
            {
                foreach (ISymbol member in type.GetMembers(name))
                {
                    if (!IsGeneratedAccessor(member))
                    {
                        return name;
                    }
                }
            }
        }

        return null;
    }

    private static bool IsGeneratedAccessor(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" }
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is GeneratorName)
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsEntryAttribute(INamedTypeSymbol? type) =>
        type is { Name: "AioRunEntryAttribute", Arity: 0, ContainingType: null } && IsNamespace(type.ContainingNamespace, "AioRun");

    public static bool IsAioLoop(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "AioLoop", Arity: 0, ContainingType: null } named && IsNamespace(named.ContainingNamespace, "AioRun");

    public static bool DerivesFromAioLoop(ITypeSymbol type)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (IsAioLoop(current))
            {
                return true;
            }
        }

        return false;
    }

    public static EntryReturn ClassifyReturn(IMethodSymbol method)
    {
        ITypeSymbol type = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return method.IsAsync ? EntryReturn.AsyncVoid : EntryReturn.Void;
        }

        // A nullable Task? would make the generated call site warn (and TreatWarningsAsErrors fail): the loop needs a task.
        if (method.ReturnsByRef || method.ReturnsByRefReadonly || type.NullableAnnotation == NullableAnnotation.Annotated || type is not INamedTypeSymbol named || !IsNamespace(named.ContainingNamespace, "System", "Threading", "Tasks"))
        {
            return EntryReturn.Unsupported;
        }

        return (named.Name, named.Arity) switch
        {
            ("Task", 0) => EntryReturn.Task,
            ("ValueTask", 0) => EntryReturn.ValueTask,
            ("Task", 1) when IsInt32(named.TypeArguments[0]) => EntryReturn.TaskOfInt,
            ("ValueTask", 1) when IsInt32(named.TypeArguments[0]) => EntryReturn.ValueTaskOfInt,
            _ => EntryReturn.Unsupported,
        };
    }

    public static EntryParameter ClassifyParameter(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return EntryParameter.Unsupported;
        }

        ITypeSymbol type = parameter.Type;
        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_String })
        {
            return EntryParameter.Args;
        }

        if (type is INamedTypeSymbol { Name: "CancellationToken", Arity: 0, ContainingType: null } token && IsNamespace(token.ContainingNamespace, "System", "Threading"))
        {
            return EntryParameter.CancellationToken;
        }

        return IsAioLoop(type) ? EntryParameter.Loop : EntryParameter.Unsupported;
    }

    /// <summary>The return of a usable shutdown callback: static, not generic, <c>void</c>/<c>Task</c>/<c>ValueTask</c>, no parameter or one <c>AioLoop</c>.</summary>
    public static CallbackReturn? ClassifyShutdownCallback(IMethodSymbol method)
    {
        if (!method.IsStatic || method.IsGenericMethod || method.IsAbstract || method.IsVirtual || !TakesNothingOrLoop(method))
        {
            return null;
        }

        if (method.ReturnsVoid)
        {
            return method.IsAsync ? null : CallbackReturn.Void;
        }

        return method.ReturnType is INamedTypeSymbol { Arity: 0 } named && !method.ReturnsByRef && !method.ReturnsByRefReadonly && IsNamespace(named.ContainingNamespace, "System", "Threading", "Tasks")
            ? named.Name switch
            {
                "Task" => CallbackReturn.Task,
                "ValueTask" => CallbackReturn.ValueTask,
                _ => null,
            }
            : null;
    }

    /// <summary>Whether a method is a usable shutdown handler: <c>static void Name(AioLoop loop)</c>.</summary>
    public static bool IsShutdownHandler(IMethodSymbol method) =>
        method is { IsStatic: true, IsGenericMethod: false, IsAbstract: false, IsVirtual: false, ReturnsVoid: true, IsAsync: false, Parameters.Length: 1 }
        && method.Parameters[0].RefKind == RefKind.None
        && IsAioLoop(method.Parameters[0].Type);

    /// <summary>Why a <c>LoopType</c> cannot be used, or <see langword="null"/> when it can.</summary>
    public static string? LoopTypeProblem(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named || named.TypeKind == TypeKind.Error)
        {
            return "it is not a class type";
        }

        if (named.IsUnboundGenericType)
        {
            return "it is an open generic type; give its type arguments";
        }

        if (named.TypeKind != TypeKind.Class || !DerivesFromAioLoop(named))
        {
            return "it does not derive from AioRun.AioLoop";
        }

        if (named.IsAbstract || named.IsStatic)
        {
            return "it is abstract";
        }

        if (!IsReachableFromGlobalCode(named))
        {
            return "the generated program cannot reach it (it, or a type that contains it, is private or protected)";
        }

        foreach (IMethodSymbol constructor in named.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility == Accessibility.Public && constructor.Parameters.Length == 0)
            {
                return null;
            }
        }

        return "it has no public parameterless constructor";
    }

    /// <summary>Whether code outside every type (the generated top-level program) can name <paramref name="type"/>.</summary>
    public static bool IsReachableFromGlobalCode(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (!IsReachableAccessibility(current.DeclaredAccessibility) || current.IsFileLocal)
            {
                return false;
            }

            foreach (ITypeSymbol argument in current.TypeArguments)
            {
                if (argument is INamedTypeSymbol namedArgument && !IsReachableFromGlobalCode(namedArgument))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Accessible from anywhere in the same assembly.</summary>
    public static bool IsReachableAccessibility(Accessibility accessibility) =>
        accessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    public static bool IsExecutable(OutputKind kind) =>
        kind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication or OutputKind.WindowsRuntimeApplication;

    /// <summary>
    /// Finds the one static method named <paramref name="name"/> declared in <paramref name="type"/> that <paramref name="fits"/>:
    /// a method of another shape, or two that fit, cannot be used.
    /// </summary>
    public static MemberResolution Resolve(INamedTypeSymbol type, string name, Func<IMethodSymbol, bool> fits, out IMethodSymbol? match)
    {
        match = null;
        bool named = false;
        foreach (ISymbol member in type.GetMembers(name))
        {
            named = true;
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && fits(method))
            {
                if (match is not null)
                {
                    match = null;
                    return MemberResolution.Ambiguous;
                }

                match = method;
            }
        }

        return match is not null ? MemberResolution.Found : named ? MemberResolution.WrongShape : MemberResolution.NotFound;
    }

    private static bool IsInt32(ITypeSymbol type) => type.SpecialType == SpecialType.System_Int32;

    private static bool TakesNothingOrLoop(IMethodSymbol method) =>
        method.Parameters.Length == 0
        || (method.Parameters.Length == 1 && method.Parameters[0].RefKind == RefKind.None && IsAioLoop(method.Parameters[0].Type));

    /// <summary>Whether <paramref name="ns"/> is exactly the namespace <paramref name="names"/> (outermost first).</summary>
    private static bool IsNamespace(INamespaceSymbol? ns, params string[] names)
    {
        for (int i = names.Length - 1; i >= 0; i--)
        {
            if (ns is null || ns.Name != names[i])
            {
                return false;
            }

            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: true };
    }
}
