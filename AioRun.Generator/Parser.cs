using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AioRun.Generator;

/// <summary>Turns an <c>[AioRunEntry]</c> method into an <see cref="EntryModel"/>, or <see langword="null"/> when the generated program could not run it.</summary>
/// <remarks>
/// Whether it can is decided by <see cref="EntryRules"/>, which the AIO1xx analyzer reports from: the parser only turns
/// what the rules accepted into plain data. A part the program can do without (an option out of range, a callback that
/// cannot be used) is left out, so the program still compiles and the user sees the analyzer's diagnostic, not a
/// cascade of compiler errors.
/// </remarks>
internal static class Parser
{
    private static readonly SymbolDisplayFormat QualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static readonly SymbolDisplayFormat NamespaceFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    public static EntryModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || EntryAttribute.Find(method) is not { } attribute)
        {
            return null;
        }

        EntryCheck check = EntryRules.Check(method, attribute, cancellationToken);
        if (!check.CanRun || ContainingTypes(method.ContainingType) is not { } types)
        {
            return null;
        }

        int firstAccessorLevel = FirstAccessorLevel(method.ContainingType, types.Length);
        INamespaceSymbol ns = method.ContainingType.ContainingNamespace;
        string? namespaceName = ns is null || ns.IsGlobalNamespace ? null : ns.ToDisplayString(NamespaceFormat);
        var target = new EntryTarget(
            namespaceName,
            new EquatableArray<ContainingType>(types),
            firstAccessorLevel,
            AccessorHost(namespaceName, types, firstAccessorLevel),
            Escape(method.Name),
            check.Return,
            new EquatableArray<EntryParameter>(check.Parameters.ToArray()),
            check.ShutdownCallback is { } callback ? new ShutdownCallbackModel(Escape(callback.Name), check.ShutdownCallbackReturn, callback.Parameters.Length == 1) : null,
            check.ShutdownHandler is { } handler ? Escape(handler.Name) : null);
        (string file, int line) = SourceSite(method, context.SemanticModel.Compilation.Options.SourceReferenceResolver);
        return new EntryModel(target, check.Options, check.LoopType?.ToDisplayString(QualifiedFormat), EntryRules.SortKey(method), file, line);
    }

    /// <summary>
    /// Where the entry is declared, as the compiler would fill in <c>[CallerFilePath]</c> and <c>[CallerLineNumber]</c>
    /// there: after <c>#line</c> directives, and with the path normalised by the compilation's resolver (which applies
    /// <c>PathMap</c> in a deterministic build).
    /// </summary>
    private static (string File, int Line) SourceSite(IMethodSymbol method, SourceReferenceResolver? resolver)
    {
        if (method.Locations.FirstOrDefault(static l => l.IsInSource) is not { SourceTree: { } tree } location)
        {
            return (string.Empty, 0);
        }

        FileLinePositionSpan mapped = location.GetMappedLineSpan();
        string path = mapped.Path;
        if (resolver is not null && path.Length > 0)
        {
            path = resolver.NormalizePath(path, baseFilePath: mapped.HasMappedPath ? tree.FilePath : null) ?? path;
        }

        return (path, mapped.StartLinePosition.Line + 1);
    }

    /// <summary>The containing types as their generated partial declarations need them, outermost first.</summary>
    private static ContainingType[]? ContainingTypes(INamedTypeSymbol declaringType)
    {
        var types = new List<ContainingType>();
        for (INamedTypeSymbol? type = declaringType; type is not null; type = type.ContainingType)
        {
            if (Keyword(type) is not { } keyword)
            {
                return null;
            }

            types.Insert(0, new ContainingType(keyword, Escape(type.Name)));
        }

        return types.ToArray();
    }

    /// <summary>The keywords of a partial declaration of <paramref name="type"/>; only classes, structs, records and interfaces declare methods.</summary>
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
            if (type.ContainingType is not null && !EntryRules.IsReachableAccessibility(type.DeclaredAccessibility))
            {
                first = level - 1;
            }
        }

        return first;
    }

    private static string AccessorHost(string? namespaceName, ContainingType[] types, int firstAccessorLevel)
    {
        var name = new StringBuilder("global::");
        if (namespaceName is not null)
        {
            name.Append(namespaceName).Append('.');
        }

        for (int i = 0; i <= firstAccessorLevel; i++)
        {
            name.Append(i == 0 ? string.Empty : ".").Append(types[i].Name);
        }

        return name.ToString();
    }

    private static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
}
