using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// A list of members written as in vs-threading's exclusion files: <c>[Namespace.Type]::Member</c> for one
/// member (every overload), <c>[Namespace.Type]</c> for all members of a type. Types are full metadata names:
/// generic arity after a backquote (<c>System.Collections.Concurrent.BlockingCollection`1</c>), nested types after
/// <c>+</c>. Entries are separated by commas, semicolons or white space.
/// </summary>
internal sealed class MemberList
{
    private static readonly ConcurrentDictionary<string, MemberList> s_parsed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _types = new(StringComparer.Ordinal);
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    public static readonly MemberList Empty = new();

    private MemberList()
    {
    }

    /// <summary>The list an option value describes (parsed once per distinct value).</summary>
    public static MemberList Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? Empty : s_parsed.GetOrAdd(text!, static t => Build(t.Split(new[] { ',', ';', ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>A list from entries.</summary>
    public static MemberList Build(IEnumerable<string> entries)
    {
        var list = new MemberList();
        foreach (string raw in entries)
        {
            string entry = raw.Trim();
            if (entry.Length < 3 || entry[0] != '[')
            {
                continue;
            }

            int close = entry.IndexOf(']');
            if (close < 2)
            {
                continue;
            }

            string type = entry.Substring(1, close - 1);
            string rest = entry.Substring(close + 1);
            if (rest.Length == 0 || rest == "::*")
            {
                list._types.Add(type);
            }
            else if (rest.StartsWith("::", StringComparison.Ordinal) && rest.Length > 2)
            {
                list._members.Add(type + "::" + rest.Substring(2));
            }
        }

        return list;
    }

    public bool IsEmpty => _types.Count == 0 && _members.Count == 0;

    /// <summary>Whether the list names <paramref name="member"/> of <paramref name="type"/> (or the whole type).</summary>
    public bool Contains(INamedTypeSymbol type, string member)
    {
        if (IsEmpty)
        {
            return false;
        }

        string name = FullName(type);
        return _types.Contains(name) || _members.Contains(name + "::" + member);
    }

    /// <summary>Whether the list names <paramref name="method"/>, a method it overrides, or their types.</summary>
    public bool Contains(IMethodSymbol method)
    {
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod)
        {
            if (Contains(current.ContainingType, current.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the list names <paramref name="type"/> or one of its base types as a whole.</summary>
    public bool ContainsTypeOrBase(ITypeSymbol? type)
    {
        if (_types.Count == 0)
        {
            return false;
        }

        for (INamedTypeSymbol? current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (_types.Contains(FullName(current)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The metadata name as lists write it: <c>Namespace.Outer+Inner`1</c>.</summary>
    public static string FullName(INamedTypeSymbol type)
    {
        type = type.OriginalDefinition;
        string name = type.MetadataName;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }

        INamespaceSymbol? ns = type.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name;
    }
}
