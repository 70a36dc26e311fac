using System;
using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>The accepted shapes of entries, their parameters, shutdown callbacks and handlers, and loop types.</summary>
internal static partial class EntryRules
{
    public static EntryReturn ClassifyReturn(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return method.IsAsync ? EntryReturn.AsyncVoid : EntryReturn.Void;
        }

        // A nullable Task? would make the generated call site warn (and TreatWarningsAsErrors fail): the loop needs a task.
        if (method.ReturnsByRef || method.ReturnsByRefReadonly || method.ReturnType.NullableAnnotation == NullableAnnotation.Annotated
            || method.ReturnType is not INamedTypeSymbol named)
        {
            return EntryReturn.Unsupported;
        }

        return
            AioTypes.IsTaskType(named, "Task", 0) ? EntryReturn.Task
            : AioTypes.IsTaskType(named, "ValueTask", 0) ? EntryReturn.ValueTask
            : AioTypes.IsTaskType(named, "Task", 1) && IsInt32(named.TypeArguments[0]) ? EntryReturn.TaskOfInt
            : AioTypes.IsTaskType(named, "ValueTask", 1) && IsInt32(named.TypeArguments[0]) ? EntryReturn.ValueTaskOfInt
            : EntryReturn.Unsupported;
    }

    public static EntryParameter ClassifyParameter(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return EntryParameter.Unsupported;
        }

        ITypeSymbol type = parameter.Type;
        return type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_String } ? EntryParameter.Args
            : AioTypes.IsCancellationToken(type) ? EntryParameter.CancellationToken
            : AioTypes.IsAioLoop(type) ? EntryParameter.Loop
            : EntryParameter.Unsupported;
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

        if (method.ReturnsByRef || method.ReturnsByRefReadonly || method.ReturnType is not INamedTypeSymbol named)
        {
            return null;
        }

        return AioTypes.IsTaskType(named, "Task", 0) ? CallbackReturn.Task
            : AioTypes.IsTaskType(named, "ValueTask", 0) ? CallbackReturn.ValueTask
            : null;
    }

    /// <summary>Whether a method is a usable shutdown handler: <c>static void Name(AioLoop loop)</c>.</summary>
    public static bool IsShutdownHandler(IMethodSymbol method) =>
        method is { IsStatic: true, IsGenericMethod: false, IsAbstract: false, IsVirtual: false, ReturnsVoid: true, IsAsync: false, Parameters.Length: 1 }
        && method.Parameters[0].RefKind == RefKind.None
        && AioTypes.IsAioLoop(method.Parameters[0].Type);

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

        if (named.TypeKind != TypeKind.Class || !AioTypes.DerivesFromAioLoop(named))
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

    /// <summary>
    /// The first member of <paramref name="type"/> whose name the generated accessors reserve, if any. The accessors
    /// themselves (generated code the analyzer sees, the generator does not) carry [GeneratedCode("AioRun.Generator")].
    /// </summary>
    public static string? ReservedMemberName(INamedTypeSymbol type)
    {
        foreach (string name in type.MemberNames)
        {
            if (name.StartsWith(GeneratedNames.AccessorPrefix, StringComparison.Ordinal))
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
                && attribute.ConstructorArguments[0].Value is GeneratedNames.GeneratorName)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInt32(ITypeSymbol type) => type.SpecialType == SpecialType.System_Int32;

    private static bool TakesNothingOrLoop(IMethodSymbol method) =>
        method.Parameters.Length == 0
        || (method.Parameters.Length == 1 && method.Parameters[0].RefKind == RefKind.None && AioTypes.IsAioLoop(method.Parameters[0].Type));
}
