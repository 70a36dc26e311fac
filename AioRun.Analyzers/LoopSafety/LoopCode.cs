using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Decides whether an operation is "code on the loop", the code the loop-safety rules judge:
/// <list type="bullet">
/// <item>async methods, async lambdas and async local functions, and what they contain (synchronous lambdas
/// included: LINQ and callbacks run where they are called);</item>
/// <item>the <c>[AioRunEntry]</c> method and the methods its <c>ShutdownCallback</c> and <c>ShutdownHandler</c> name,
/// even when synchronous (the generated program runs all three on the loop thread);</item>
/// <item>in a compilation that references AioRun.Hosting, the implementations of <c>IHostedService.StartAsync</c>/<c>StopAsync</c>
/// (and of <c>IHostedLifecycleService</c>'s four) and the overrides of <c>BackgroundService.StartAsync</c>/<c>StopAsync</c>/<c>ExecuteAsync</c>,
/// even when synchronous (<c>UseAioRun()</c> runs them on the loop thread);</item>
/// <item>but not the body of a lambda handed to a thread-pool or thread API (<c>RunInExecutor</c>, <c>Task.Run</c>,
/// <c>TaskFactory.StartNew</c>, <c>ContinueWith</c>, <c>ThreadPool</c>, <c>Parallel</c>, <c>new Thread</c>,
/// <c>new Timer</c>, a <c>System.Timers.Timer.Elapsed</c> handler), nor anything nested in one;</item>
/// <item>nor async code that provably runs only off the loop: a private method or local function that its file hands
/// to such an API as a method group (<c>Task.Run(ProcessAsync)</c>), or calls only from such places;</item>
/// <item>nor synchronous methods and synchronous local functions (they may be called from anywhere), nor the
/// argument of <c>nameof</c>;</item>
/// <item>nor the synchronous arm of dual-mode code (see <see cref="DualMode"/>): when the caller asks for
/// asynchronous I/O, that arm does not run.</item>
/// </list>
/// One instance per compilation; thread-safe.
/// </summary>
internal sealed class LoopCode
{
    private readonly KnownSymbols _known;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _syncMembersOnLoop = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> _shutdownMembers = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _offLoopOnly = new(SymbolEqualityComparer.Default);

    public LoopCode(KnownSymbols known) => _known = known;

    public KnownSymbols Known => _known;

    /// <summary>Whether <paramref name="operation"/> runs on the loop thread.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="containingSymbol">The member whose body holds it (the analysis context's ContainingSymbol).</param>
    public bool IsOnLoop(IOperation operation, ISymbol containingSymbol)
    {
        bool insideAsync = false;
        IOperation child = operation;
        for (IOperation? current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case INameOfOperation:
                    return false;
                case IConditionalOperation conditional when !insideAsync && DualMode.IsSyncArm(conditional, child):
                    return false;
                case IAnonymousFunctionOperation lambda:
                    if (IsHandedOffTheLoop(lambda))
                    {
                        return false;
                    }

                    insideAsync |= lambda.Symbol.IsAsync;
                    break;
                case ILocalFunctionOperation localFunction:
                    if (RunsOnlyOffTheLoop(localFunction.Symbol, operation.SemanticModel))
                    {
                        return false;
                    }

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

        return (insideAsync || IsOnLoopMember(containingSymbol))
            && !(containingSymbol is IMethodSymbol member && RunsOnlyOffTheLoop(member, operation.SemanticModel));
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

    /// <summary>
    /// Whether a delegate (a lambda, or a method group) is given to an API that runs it on another thread: an
    /// off-loop runner, <c>new Thread(...)</c>, <c>new Timer(...)</c>, or a <c>System.Timers.Timer.Elapsed</c> handler.
    /// </summary>
    private bool IsHandedOffTheLoop(IOperation function)
    {
        IOperation? parent = function.Parent;
        while (parent is IDelegateCreationOperation or IConversionOperation or IArrayInitializerOperation or IArrayCreationOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        if (parent is IEventAssignmentOperation { Adds: true, EventReference: IEventReferenceOperation { Event: { Name: "Elapsed" } timerEvent } })
        {
            return KnownSymbols.Is(timerEvent.ContainingType, _known.TimersTimer);
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

    /// <summary>
    /// Whether async code provably runs only off the loop: a private method (or a local function) whose every
    /// reference in its file is a delegate handed off the loop (<c>Task.Run(ProcessAsync)</c>, <c>new Timer(OnTick)</c>,
    /// <c>timer.Elapsed += OnElapsed</c>) or a call from code that itself provably runs off the loop (a lambda handed
    /// off, another such method). A method that nothing in the file references, or that other files could call,
    /// is not proven off the loop.
    /// </summary>
    private bool RunsOnlyOffTheLoop(IMethodSymbol method, SemanticModel? model)
    {
        if (model is null || (method.MethodKind != MethodKind.LocalFunction && method.DeclaredAccessibility != Accessibility.Private))
        {
            return false;
        }

        return _offLoopOnly.GetOrAdd(method.OriginalDefinition, m => ComputeRunsOnlyOffTheLoop(m, model, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)));
    }

    /// <summary>
    /// The same question inside a computation: a method already being looked at (a cycle of calls) is not proven off
    /// the loop. A "yes" never rests on such an assumption, so it is kept for later questions; a "no" may, so it is not.
    /// </summary>
    private bool RunsOnlyOffTheLoop(IMethodSymbol method, SemanticModel model, HashSet<IMethodSymbol> visiting)
    {
        method = method.OriginalDefinition;
        if ((method.MethodKind != MethodKind.LocalFunction && method.DeclaredAccessibility != Accessibility.Private) || visiting.Contains(method))
        {
            return false;
        }

        if (_offLoopOnly.TryGetValue(method, out bool known))
        {
            return known;
        }

        bool result = ComputeRunsOnlyOffTheLoop(method, model, visiting);
        if (result)
        {
            _offLoopOnly.TryAdd(method, true);
        }

        return result;
    }

    private bool ComputeRunsOnlyOffTheLoop(IMethodSymbol method, SemanticModel model, HashSet<IMethodSymbol> visiting)
    {
        visiting.Add(method);
        try
        {
            return ReferencesAreOffTheLoop(method, model, visiting);
        }
        finally
        {
            visiting.Remove(method);
        }
    }

    private bool ReferencesAreOffTheLoop(IMethodSymbol method, SemanticModel model, HashSet<IMethodSymbol> visiting)
    {
        ISymbol scopeOwner = method.MethodKind == MethodKind.LocalFunction ? method.ContainingSymbol : method.ContainingType;
        var scopes = new List<SyntaxNode>();
        foreach (SyntaxReference reference in scopeOwner.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != model.SyntaxTree)
            {
                // A part of the type in another file could call it.
                return false;
            }

            scopes.Add(reference.GetSyntax());
        }

        bool referenced = false;
        foreach (SyntaxNode scope in scopes)
        {
            foreach (SyntaxNode node in scope.DescendantNodes())
            {
                if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != method.Name)
                {
                    continue;
                }

                SymbolInfo info = model.GetSymbolInfo(name);
                ISymbol? target = info.Symbol ?? (info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] : null);
                if (target is not IMethodSymbol referencedMethod || !SymbolEqualityComparer.Default.Equals(referencedMethod.OriginalDefinition, method))
                {
                    continue;
                }

                referenced = true;
                if (OperationOf(name, model) is not { } use || !IsProvablyOffTheLoop(use, model, visiting))
                {
                    return false;
                }
            }
        }

        return referenced;
    }

    /// <summary>The operation of the nearest expression around <paramref name="node"/> that has one.</summary>
    private static IOperation? OperationOf(SyntaxNode node, SemanticModel model)
    {
        for (SyntaxNode? current = node; current is not null and not StatementSyntax; current = current.Parent)
        {
            if (model.GetOperation(current) is { } operation)
            {
                return operation;
            }
        }

        return null;
    }

    /// <summary>Whether a use of a method (a delegate, or a call) runs off the loop on every path.</summary>
    private bool IsProvablyOffTheLoop(IOperation use, SemanticModel model, HashSet<IMethodSymbol> visiting)
    {
        if (use is IMethodReferenceOperation)
        {
            // A delegate kept or passed elsewhere may be invoked anywhere.
            return IsHandedOffTheLoop(use);
        }

        for (IOperation? current = use.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda when IsHandedOffTheLoop(lambda):
                    return true;
                case IAnonymousFunctionOperation:
                    // A lambda kept or passed elsewhere may run anywhere.
                    return false;
                case ILocalFunctionOperation localFunction:
                    return RunsOnlyOffTheLoop(localFunction.Symbol, model, visiting);
            }
        }

        return model.GetEnclosingSymbol(use.Syntax.SpanStart) is IMethodSymbol member && RunsOnlyOffTheLoop(member, model, visiting);
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

        if (method.IsStatic)
        {
            return method.MethodKind == MethodKind.Ordinary && _syncMembersOnLoop.GetOrAdd(method, IsEntryOrShutdownMember);
        }

        return _known.HostedServiceMembers.Count > 0
            && method.MethodKind is MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation
            && method.Name.EndsWith("Async", System.StringComparison.Ordinal)
            && _syncMembersOnLoop.GetOrAdd(method, IsHostedServiceMember);
    }

    /// <summary>An override of a BackgroundService member, or an implementation of an IHostedService (or lifecycle) member, that the host runs on the loop.</summary>
    private bool IsHostedServiceMember(IMethodSymbol method)
    {
        ImmutableHashSet<IMethodSymbol> hosted = _known.HostedServiceMembers;
        for (IMethodSymbol? overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
        {
            if (hosted.Contains(overridden.OriginalDefinition))
            {
                return true;
            }
        }

        foreach (IMethodSymbol implemented in method.ExplicitInterfaceImplementations)
        {
            if (hosted.Contains(implemented.OriginalDefinition))
            {
                return true;
            }
        }

        foreach (IMethodSymbol member in hosted)
        {
            if (member.Name == method.Name
                && member.ContainingType.TypeKind == TypeKind.Interface
                && SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
            {
                return true;
            }
        }

        return false;
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
