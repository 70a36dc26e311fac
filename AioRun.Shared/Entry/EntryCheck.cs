using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>
/// What <see cref="EntryRules.Check"/> concluded about one <c>[AioRunEntry]</c> method: its problems, and the parts
/// the generated program uses (those that are valid). It holds symbols: the generator turns it into its model at once.
/// </summary>
internal sealed class EntryCheck
{
    public EntryCheck(IMethodSymbol method, AttributeData attribute, string name)
    {
        Method = method;
        Attribute = attribute;
        Name = name;
    }

    public IMethodSymbol Method { get; }

    public AttributeData Attribute { get; }

    /// <summary>The entry as messages name it: <c>Type.Method</c>.</summary>
    public string Name { get; }

    public ImmutableArray<EntryProblem> Problems { get; internal set; } = ImmutableArray<EntryProblem>.Empty;

    /// <summary>Whether the generated program can run the entry: every problem is one it leaves out.</summary>
    public bool CanRun
    {
        get
        {
            foreach (EntryProblem problem in Problems)
            {
                if (!problem.IsLeftOut)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public EntryReturn Return { get; internal set; }

    /// <summary>What each parameter receives, in the declared order.</summary>
    public ImmutableArray<EntryParameter> Parameters { get; internal set; } = ImmutableArray<EntryParameter>.Empty;

    /// <summary>The options set on the attribute that are in range.</summary>
    public OptionValues Options { get; internal set; } = OptionValues.None;

    /// <summary>The usable shutdown callback, if the attribute names one.</summary>
    public IMethodSymbol? ShutdownCallback { get; internal set; }

    public CallbackReturn ShutdownCallbackReturn { get; internal set; }

    /// <summary>The usable shutdown handler, if the attribute names one.</summary>
    public IMethodSymbol? ShutdownHandler { get; internal set; }

    /// <summary>The usable loop type, if the attribute gives one.</summary>
    public INamedTypeSymbol? LoopType { get; internal set; }
}
