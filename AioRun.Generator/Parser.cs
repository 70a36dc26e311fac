using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Generator;

/// <summary>Turns an <c>[AioRunEntry]</c> method into an <see cref="EntryModel"/>, or <see langword="null"/> when the generated program could not call it.</summary>
/// <remarks>
/// The parser never reports: the AIO1xx analyzer does, with the same rules (<see cref="EntryShape"/>, <see cref="OptionRules"/>).
/// An invalid part that the program can do without (an option out of range, a callback that cannot be used) is left out,
/// so the program still compiles and the user sees the analyzer's diagnostic, not a cascade of compiler errors.
/// </remarks>
internal static class Parser
{
    private static readonly SymbolDisplayFormat QualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static readonly SymbolDisplayFormat NamespaceFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    public static EntryModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: true, IsGenericMethod: false, IsAbstract: false, IsVirtual: false, IsVararg: false } method
            || method.ContainingType is not { } declaringType
            || EntryShape.FindEntryAttribute(method) is not { } attribute)
        {
            return null;
        }

        EntryReturn returns = EntryShape.ClassifyReturn(method);
        if (returns is EntryReturn.Unsupported or EntryReturn.AsyncVoid || ParseParameters(method, returns) is not { } parameters)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (ParseContainingTypes(declaringType) is not { } types)
        {
            return null;
        }

        AttributeOptions options = AttributeOptions.Read(attribute);
        options = new AttributeOptions(
            options.StopOnUnhandledErrors,
            options.ShutdownTimeoutSeconds is double timeout && OptionRules.IsValidTimeout(timeout) ? timeout : null,
            options.ExecutorWorkers is int workers && OptionRules.IsValidWorkers(workers) ? workers : null);

        ShutdownCallbackModel? callback = null;
        string? handler = null;
        string? loopType = null;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case EntryShape.ShutdownCallback when argument.Value.Value is string name:
                    callback = ResolveShutdownCallback(declaringType, name);
                    break;
                case EntryShape.ShutdownHandler when argument.Value.Value is string name:
                    handler = ResolveShutdownHandler(declaringType, name);
                    break;
                case EntryShape.LoopType when argument.Value.Value is ITypeSymbol type && EntryShape.LoopTypeProblem(type) is null:
                    loopType = type.ToDisplayString(QualifiedFormat);
                    break;
            }
        }

        INamespaceSymbol ns = declaringType.ContainingNamespace;
        var target = new EntryTarget(
            ns is null || ns.IsGlobalNamespace ? null : ns.ToDisplayString(NamespaceFormat),
            new EquatableArray<ContainingType>(types.ToArray()),
            FirstAccessorLevel(declaringType, types.Count),
            Escape(method.Name),
            returns,
            parameters,
            callback,
            handler);
        return new EntryModel(target, options, loopType, method.ToDisplayString());
    }

    private static EquatableArray<EntryParameter>? ParseParameters(IMethodSymbol method, EntryReturn returns)
    {
        var parameters = new EntryParameter[method.Parameters.Length];
        var seen = new HashSet<EntryParameter>();
        for (int i = 0; i < parameters.Length; i++)
        {
            EntryParameter parameter = EntryShape.ClassifyParameter(method.Parameters[i]);
            bool tokenWithoutTask = parameter == EntryParameter.CancellationToken && returns == EntryReturn.Void;
            if (parameter == EntryParameter.Unsupported || tokenWithoutTask || !seen.Add(parameter))
            {
                return null;
            }

            parameters[i] = parameter;
        }

        return new EquatableArray<EntryParameter>(parameters);
    }

    /// <summary>The containing types, outermost first; <see langword="null"/> if one cannot get a generated partial part.</summary>
    private static List<ContainingType>? ParseContainingTypes(INamedTypeSymbol declaringType)
    {
        var types = new List<ContainingType>();
        for (INamedTypeSymbol? type = declaringType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType || type.IsFileLocal || !IsPartial(type) || EntryShape.ReservedMemberName(type) is not null || Keyword(type) is not { } keyword)
            {
                return null;
            }

            types.Insert(0, new ContainingType(keyword, Escape(type.Name)));
        }

        return types;
    }

    private static bool IsPartial(INamedTypeSymbol type)
    {
        ImmutableArray<SyntaxReference> references = type.DeclaringSyntaxReferences;
        if (references.IsEmpty)
        {
            return false;
        }

        foreach (SyntaxReference reference in references)
        {
            if (reference.GetSyntax() is not TypeDeclarationSyntax declaration || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Keyword(INamedTypeSymbol type)
    {
        string kind = (type.TypeKind, type.IsRecord) switch
        {
            (TypeKind.Class, false) => "class",
            (TypeKind.Class, true) => "record",
            (TypeKind.Struct, false) => "struct",
            (TypeKind.Struct, true) => "record struct",
            (TypeKind.Interface, _) => "interface",
            _ => string.Empty,
        };
        if (kind.Length == 0)
        {
            return null;
        }

        string modifiers = (type.IsStatic ? "static " : string.Empty)
            + (type.IsReadOnly && type.TypeKind == TypeKind.Struct ? "readonly " : string.Empty)
            + (type.IsRefLikeType ? "ref " : string.Empty);
        return modifiers + "partial " + kind;
    }

    /// <summary>
    /// The outermost containing type from which every type down to the declaring one is reachable from global code
    /// through its accessors: all types below it are reachable from it, and it is reachable from global code.
    /// </summary>
    private static int FirstAccessorLevel(INamedTypeSymbol declaringType, int levels)
    {
        int level = levels - 1;
        int first = level;
        for (INamedTypeSymbol? type = declaringType; type is not null; type = type.ContainingType, level--)
        {
            // A type that global code cannot name needs its container to forward the call.
            if (type.ContainingType is not null && !EntryShape.IsReachableAccessibility(type.DeclaredAccessibility))
            {
                first = level - 1;
            }
        }

        return first;
    }

    private static ShutdownCallbackModel? ResolveShutdownCallback(INamedTypeSymbol type, string name) =>
        EntryShape.Resolve(type, name, static m => EntryShape.ClassifyShutdownCallback(m) is not null, out IMethodSymbol? method) == MemberResolution.Found
            ? new ShutdownCallbackModel(Escape(name), EntryShape.ClassifyShutdownCallback(method!)!.Value, method!.Parameters.Length == 1)
            : null;

    private static string? ResolveShutdownHandler(INamedTypeSymbol type, string name) =>
        EntryShape.Resolve(type, name, EntryShape.IsShutdownHandler, out _) == MemberResolution.Found ? Escape(name) : null;

    private static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
}
