using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>Recognises AioRun's and the framework's types by name, without a compilation at hand.</summary>
internal static class AioTypes
{
    public const string LoopMetadataName = "AioRun.AioLoop";

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

    /// <summary><c>System.Threading.Tasks.<paramref name="name"/></c> with <paramref name="arity"/> type parameters.</summary>
    public static bool IsTaskType(INamedTypeSymbol type, string name, int arity) =>
        type.Name == name && type.Arity == arity && type.ContainingType is null && IsNamespace(type.ContainingNamespace, "System", "Threading", "Tasks");

    public static bool IsCancellationToken(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "CancellationToken", Arity: 0, ContainingType: null } token && IsNamespace(token.ContainingNamespace, "System", "Threading");

    /// <summary>Whether <paramref name="ns"/> is exactly the namespace <paramref name="names"/> (outermost first).</summary>
    public static bool IsNamespace(INamespaceSymbol? ns, params string[] names)
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
