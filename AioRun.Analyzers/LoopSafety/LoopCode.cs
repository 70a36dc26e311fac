using System.Collections.Concurrent;
using System.Collections.Immutable;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Decides whether an operation is "code on the loop", the code the loop-safety rules judge:
/// <list type="bullet">
/// <item>async methods, async lambdas and async local functions, and what they contain (synchronous lambdas
/// included: LINQ and callbacks run where they are called);</item>
/// <item>the <c>[AioRunEntry]</c> method and the methods its <c>ShutdownCallback</c> and <c>ShutdownHandler</c> name,
/// even when synchronous (the generated program runs all three on the loop thread);</item>
/// <item>but not the body of a lambda handed to a thread-pool or thread API (<c>RunInExecutor</c>, <c>Task.Run</c>,
/// <c>TaskFactory.StartNew</c>, <c>ContinueWith</c>, <c>ThreadPool</c>, <c>Parallel</c>, <c>new Thread</c>,
/// <c>new Timer</c>), nor anything nested in one;</item>
/// <item>nor synchronous methods and synchronous local functions (they may be called from anywhere), nor the
/// argument of <c>nameof</c>.</item>
/// </list>
/// One instance per compilation; thread-safe.
/// </summary>
internal sealed class LoopCode
{
    private readonly KnownSymbols _known;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _syncMembersOnLoop = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> _shutdownMembers = new(SymbolEqualityComparer.Default);

    public LoopCode(KnownSymbols known) => _known = known;

    public KnownSymbols Known => _known;

    /// <summary>Whether <paramref name="operation"/> runs on the loop thread.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="containingSymbol">The member whose body holds it (the analysis context's ContainingSymbol).</param>
    public bool IsOnLoop(IOperation operation, ISymbol containingSymbol)
    {
        bool insideAsync = false;
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case INameOfOperation:
                    return false;
                case IAnonymousFunctionOperation lambda:
                    if (IsHandedOffTheLoop(lambda))
                    {
                        return false;
                    }

                    insideAsync |= lambda.Symbol.IsAsync;
                    break;
                case ILocalFunctionOperation localFunction:
                    if (localFunction.Symbol.IsAsync)
                    {
                        insideAsync = true;
                    }
                    else if (!insideAsync)
                    {
                        return false;
                    }

                    break;
            }
        }

        return insideAsync || IsOnLoopMember(containingSymbol);
    }

    /// <summary>
    /// The name of the <c>CancellationToken</c> parameter of the function that directly holds
    /// <paramref name="operation"/> (the innermost lambda, local function or method), or <see langword="null"/>.
    /// </summary>
    public string? EnclosingTokenParameter(IOperation operation, ISymbol containingSymbol)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return TokenParameter(lambda.Symbol);
                case ILocalFunctionOperation localFunction:
                    return TokenParameter(localFunction.Symbol);
            }
        }

        return containingSymbol is IMethodSymbol method ? TokenParameter(method) : null;
    }

    private string? TokenParameter(IMethodSymbol method)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (_known.IsCancellationToken(parameter.Type) && parameter.RefKind == RefKind.None && !parameter.IsDiscard && parameter.Name != "_")
            {
                return parameter.Name;
            }
        }

        return null;
    }

    /// <summary>Whether a lambda is given to an API that runs it on another thread.</summary>
    private bool IsHandedOffTheLoop(IAnonymousFunctionOperation lambda)
    {
        IOperation? parent = lambda.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation or IArrayInitializerOperation or IArrayCreationOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        if (parent is not IArgumentOperation argument)
        {
            return false;
        }

        return argument.Parent switch
        {
            IInvocationOperation invocation => IsOffLoopRunner(invocation.TargetMethod),
            IObjectCreationOperation creation => creation.Constructor is { } constructor
                && (KnownSymbols.Is(constructor.ContainingType, _known.Thread) || KnownSymbols.Is(constructor.ContainingType, _known.Timer)),
            _ => false,
        };
    }

    /// <summary>Methods whose delegate arguments run off the loop thread.</summary>
    public bool IsOffLoopRunner(IMethodSymbol method)
    {
        INamedTypeSymbol type = method.ContainingType.OriginalDefinition;
        switch (method.Name)
        {
            case "Run":
                return KnownSymbols.Is(type, _known.Task);
            case "ContinueWith":
                return KnownSymbols.Is(type, _known.Task) || KnownSymbols.Is(type, _known.TaskOfT);
            case "StartNew":
            case "ContinueWhenAll":
            case "ContinueWhenAny":
                return KnownSymbols.Is(type, _known.TaskFactory) || KnownSymbols.Is(type, _known.TaskFactoryOfT);
            case "RunInExecutor":
                return _known.IsAioRunMember(method);
            default:
                return KnownSymbols.Is(type, _known.ThreadPool) || KnownSymbols.Is(type, _known.Parallel);
        }
    }

    private bool IsOnLoopMember(ISymbol containingSymbol)
    {
        if (containingSymbol is not IMethodSymbol method)
        {
            return false;
        }

        if (method.IsAsync)
        {
            return true;
        }

        return method.MethodKind == MethodKind.Ordinary && method.IsStatic && _syncMembersOnLoop.GetOrAdd(method, IsEntryOrShutdownMember);
    }

    /// <summary>The entry, and the shutdown callback and handler it names: the generated program runs each on the loop thread.</summary>
    private bool IsEntryOrShutdownMember(IMethodSymbol method) =>
        EntryAttribute.Find(method) is not null
        || _shutdownMembers.GetOrAdd(method.ContainingType, ShutdownMembersOf).Contains(method.Name);

    private static ImmutableHashSet<string> ShutdownMembersOf(INamedTypeSymbol type)
    {
        ImmutableHashSet<string> names = ImmutableHashSet<string>.Empty;
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IMethodSymbol { IsStatic: true } candidate && EntryAttribute.Find(candidate) is { } attribute)
            {
                foreach (string argument in new[] { EntryAttribute.ShutdownCallback, EntryAttribute.ShutdownHandler })
                {
                    if (EntryAttribute.MemberName(attribute, argument) is { } name)
                    {
                        names = names.Add(name);
                    }
                }
            }
        }

        return names;
    }
}
