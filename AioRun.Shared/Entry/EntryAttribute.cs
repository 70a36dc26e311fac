using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>
/// <c>[AioRunEntry]</c> as every part sees it: the generator, the CS7022 suppressor, the AIO1xx analyzer and the
/// loop-safety rules find the attribute and read its named arguments here, and nowhere else.
/// </summary>
internal static class EntryAttribute
{
    public const string MetadataName = "AioRun.AioRunEntryAttribute";

    /// <summary>The named argument that names the shutdown callback.</summary>
    public const string ShutdownCallback = "ShutdownCallback";

    /// <summary>The named argument that names the shutdown handler.</summary>
    public const string ShutdownHandler = "ShutdownHandler";

    /// <summary>The named argument that gives the loop type.</summary>
    public const string LoopType = "LoopType";

    /// <summary>Whether <paramref name="type"/> is <c>AioRun.AioRunEntryAttribute</c>.</summary>
    public static bool Is(INamedTypeSymbol? type) =>
        type is { Name: "AioRunEntryAttribute", Arity: 0, ContainingType: null } && AioTypes.IsNamespace(type.ContainingNamespace, "AioRun");

    /// <summary>The <c>[AioRunEntry]</c> that <paramref name="method"/> itself carries (not its return value), if any.</summary>
    public static AttributeData? Find(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (Is(attribute.AttributeClass))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>The value of the named argument <paramref name="name"/>, if the attribute sets it.</summary>
    public static TypedConstant? Argument(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return argument.Value;
            }
        }

        return null;
    }

    /// <summary>The method name a named argument gives (<c>ShutdownCallback</c>, <c>ShutdownHandler</c>), if it is set.</summary>
    public static string? MemberName(AttributeData attribute, string argument) => Argument(attribute, argument)?.Value as string;
}
