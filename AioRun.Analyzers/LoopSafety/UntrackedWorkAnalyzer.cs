using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// AIO001: in code on the loop, <c>Task.Run</c>, <c>TaskFactory.StartNew</c>, <c>ThreadPool.QueueUserWorkItem</c>,
/// <c>new Thread</c>, and calls whose task is dropped (not awaited, or discarded with <c>_ =</c>), start work
/// the loop does not track. Tasks from <c>Aio.CreateTask</c>, <c>AioLoop.CreateTask</c>, <c>Aio.ShutdownWaitsFor</c>,
/// <c>RunInExecutor</c> and <c>AioTask.AsTask</c> are tracked and never reported (<see cref="KnownSymbols.IsTrackedWork"/>,
/// the same calls on which <see cref="TrackedTaskSuppressor"/> suppresses CS4014).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UntrackedWorkAnalyzer : LoopSafetyAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UntrackedWork);

    /// <inheritdoc/>
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, LoopCode loop)
    {
        start.RegisterOperationAction(c => AnalyzeInvocation(c, loop), OperationKind.Invocation);
        start.RegisterOperationAction(c => AnalyzeThreadCreation(c, loop), OperationKind.ObjectCreation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, LoopCode loop)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (!IsDropped(invocation) && method.Name is not ("Run" or "StartNew" or "QueueUserWorkItem" or "UnsafeQueueUserWorkItem"))
        {
            return;
        }

        KnownSymbols known = loop.Known;
        string? starter = StarterName(method, known);
        if (starter is not null)
        {
            if (loop.IsOnLoop(invocation, context.ContainingSymbol) && !IsJoinedByOwner(invocation))
            {
                (string starterFix, string use) = StarterFix(invocation, known);
                Report(context, invocation, $"'{starter}' starts work on the thread pool", starterFix, use);
            }

            return;
        }

        if (!IsDropped(invocation) || !known.IsTaskOrConfiguredAwaitable(method.ReturnType))
        {
            return;
        }

        var call = WithoutErrorObservers(invocation.WithoutConfigureAwait(known), known) as IInvocationOperation;
        if (call is null || known.IsTrackedWork(call.TargetMethod) || IsCompletedTaskFactory(call.TargetMethod, known)
            || StarterName(call.TargetMethod, known) is not null || !loop.IsOnLoop(invocation, context.ContainingSymbol))
        {
            return;
        }

        bool methodGroup = CanBeMethodGroup(call, known);
        string fix = methodGroup || IsSafeToDefer(call) ? FixData.CreateTaskFromCall : FixData.None;
        Report(context, invocation, $"The task of '{call.TargetMethod.Name}' is dropped", fix, "Aio.CreateTask, or await it", methodGroup, known.IsValueTask(call.TargetMethod.ReturnType));
    }

    /// <summary>
    /// Work its owner joins: the task of <c>Task.Run</c> / <c>StartNew</c> stored in a field (<c>_loop = Task.Run(MainLoop)</c>)
    /// that code of the same type, in the same file, awaits in any form: the field (or a local copied from it) anywhere in
    /// an awaited expression, as in <c>await _loop</c>, <c>await _loop.WaitAsync(timeout)</c>,
    /// <c>await Task.WhenAll(_loop, other)</c> or the project's own <c>await _loop.Join(...)</c>. A connection's close that
    /// awaits its background loop tracks that work: closing or disposing it from a task the shutdown cancels waits for it.
    /// </summary>
    private static bool IsJoinedByOwner(IInvocationOperation start)
    {
        IOperation parent = start.Parent is IConversionOperation conversion ? conversion.Parent! : start.Parent!;
        if (parent is not ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Field: var field } } || start.SemanticModel is not { } model)
        {
            return false;
        }

        foreach (SyntaxNode node in start.Syntax.SyntaxTree.GetRoot().DescendantNodes())
        {
            if (node is AwaitExpressionSyntax awaitSyntax && model.GetOperation(awaitSyntax) is IAwaitOperation awaited && Mentions(awaited.Operation, field))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="operand"/> reads <paramref name="field"/>, directly or through a local of its function that holds what it gave.</summary>
    private static bool Mentions(IOperation operand, IFieldSymbol field)
    {
        HashSet<ILocalSymbol>? copies = null;
        foreach (IOperation operation in operand.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IFieldReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Field, field):
                    return true;
                case ILocalReferenceOperation local when (copies ??= CopiesOf(field, operand.Root())).Contains(local.Local):
                    return true;
            }
        }

        return false;
    }

    private static bool ReadsField(IOperation value, IFieldSymbol field)
    {
        foreach (IOperation operation in value.DescendantsAndSelf())
        {
            if (operation is IFieldReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Field, field))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The locals of a function initialized or assigned from an expression that reads <paramref name="field"/> (<c>var loop = _loop.WaitAsync(sender)</c>).</summary>
    private static HashSet<ILocalSymbol> CopiesOf(IFieldSymbol field, IOperation root)
    {
        var copies = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in root.Descendants())
        {
            (ILocalSymbol? local, IOperation? value) = operation switch
            {
                IVariableDeclaratorOperation declarator => (declarator.Symbol, declarator.Initializer?.Value),
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment => (target.Local, assignment.Value),
                _ => (null, null),
            };
            if (local is not null && value is not null && ReadsField(value, field))
            {
                copies.Add(local);
            }
        }

        return copies;
    }

    /// <summary>
    /// Dropping is judged where the work starts, so an error observer attached to a task is looked through:
    /// <c>task.ContinueWith(observe, TaskContinuationOptions.OnlyOnFaulted)</c> (a continuation that does not run when
    /// the task succeeds). Attached to a task that already exists (a variable, a field), it starts no work: nothing is
    /// dropped there. Attached to a call (<c>SendAsync().ContinueWith(...)</c>), the call's task is the one dropped.
    /// (Observer extension methods that hand the task back, like <c>task.ObserveErrors()</c>, are looked through as
    /// awaitable wrappers; see <see cref="OperationExtensions.WithoutConfigureAwait"/>.)
    /// </summary>
    private static IOperation WithoutErrorObservers(IOperation operation, KnownSymbols known)
    {
        while (operation is IInvocationOperation { TargetMethod.Name: "ContinueWith", Instance: { } task } continuation
            && known.IsTask(continuation.TargetMethod.ContainingType) && ObservesOnlyFailures(continuation))
        {
            operation = task.WithoutConfigureAwait(known);
        }

        return operation;
    }

    /// <summary>A <c>TaskContinuationOptions</c> argument that keeps the continuation from running on success.</summary>
    private static bool ObservesOnlyFailures(IInvocationOperation continuation)
    {
        const int NotOnRanToCompletion = 0x10000;
        foreach (IArgumentOperation argument in continuation.Arguments)
        {
            if (argument.Parameter?.Type is INamedTypeSymbol { Name: "TaskContinuationOptions" }
                && argument.Value.ConstantValue is { HasValue: true, Value: int options })
            {
                return (options & NotOnRanToCompletion) != 0;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>Work()</c> → <c>Aio.CreateTask(Work)</c>: a parameterless, non-generic method returning Task or Task&lt;T&gt;,
    /// called by name (a method group binds its receiver at once, so nothing is read later).
    /// </summary>
    private static bool CanBeMethodGroup(IInvocationOperation call, KnownSymbols known)
    {
        IMethodSymbol method = call.TargetMethod;
        return method.Parameters.Length == 0 && method.Arity == 0 && method.MethodKind == MethodKind.Ordinary && !method.IsExtensionMethod
            && known.IsTask(method.ReturnType)
            && call.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax
            {
                Expression: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax,
            };
    }

    private static void AnalyzeThreadCreation(OperationAnalysisContext context, LoopCode loop)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Constructor is not { } constructor || !KnownSymbols.Is(constructor.ContainingType, loop.Known.Thread)
            || !loop.IsOnLoop(creation, context.ContainingSymbol))
        {
            return;
        }

        // The fix covers the common shape: new Thread(() => ...).Start(); with a ThreadStart.
        string fix = FixData.None;
        if (creation.Arguments.Length == 1
            && creation.Arguments[0].Value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation or IMethodReferenceOperation } start
            && start.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.ObjectCreationExpressionSyntax
            && start.Type?.Name == "ThreadStart"
            && creation.Parent is IInvocationOperation { TargetMethod.Name: "Start", Arguments.Length: 0, Parent: IExpressionStatementOperation })
        {
            fix = FixData.RunInExecutorFromThread;
        }

        Report(context, creation, "'new Thread' starts work on its own thread", fix, "Aio.RunInExecutor");
    }

    private static void Report(OperationAnalysisContext context, IOperation operation, string what, string fix, string use, bool methodGroup = false, bool valueTask = false)
    {
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty.Add(FixData.Fix, fix);
        if (valueTask)
        {
            properties = properties.Add(FixData.ValueTask, "true");
        }

        if (methodGroup)
        {
            properties = properties.Add(FixData.MethodGroup, "true");
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UntrackedWork, operation.Syntax.GetLocation(), properties, what, use));
    }

    /// <summary>The display name of a method that starts thread-pool work, or <see langword="null"/>.</summary>
    private static string? StarterName(IMethodSymbol method, KnownSymbols known)
    {
        INamedTypeSymbol type = method.ContainingType.OriginalDefinition;
        return method.Name switch
        {
            "Run" when KnownSymbols.Is(type, known.Task) => "Task.Run",
            "StartNew" when KnownSymbols.Is(type, known.TaskFactory) || KnownSymbols.Is(type, known.TaskFactoryOfT) => "TaskFactory.StartNew",
            "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" when KnownSymbols.Is(type, known.ThreadPool) => "ThreadPool." + method.Name,
            _ => null,
        };
    }

    /// <summary>Which rewrite fits a starter call, and the hint for the message.</summary>
    private static (string Fix, string Use) StarterFix(IInvocationOperation invocation, KnownSymbols known)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (KnownSymbols.Is(method.ContainingType, known.ThreadPool))
        {
            return (QueueUserWorkItemFixes(invocation) ? FixData.RunInExecutorFromCallback : FixData.None, "Aio.RunInExecutor");
        }

        if (invocation.Arguments.Length != 1 || method.Parameters.Length != 1
            || method.Parameters[0].Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke })
        {
            // Task.Run(work, token) and StartNew with options or a scheduler: no rewrite keeps their meaning.
            bool asyncWork = method.Parameters.Length > 0 && method.Parameters[0].Type is INamedTypeSymbol { DelegateInvokeMethod: { } first }
                && known.IsTaskLike(first.ReturnType);
            return (FixData.None, asyncWork ? "Aio.CreateTask" : "Aio.RunInExecutor");
        }

        if (known.IsTaskLike(invoke.ReturnType))
        {
            // Async work belongs on the loop. StartNew(async ...) gives a Task<Task>: no like-for-like rewrite.
            bool isRun = method.Name == "Run" && known.IsTask(invoke.ReturnType);
            return (isRun ? FixData.CreateTask : FixData.None, "Aio.CreateTask");
        }

        return (FixData.RunInExecutor, "Aio.RunInExecutor");
    }

    /// <summary>ThreadPool.QueueUserWorkItem(state => work); as a statement, with the state unused.</summary>
    private static bool QueueUserWorkItemFixes(IInvocationOperation invocation)
    {
        if (invocation.Arguments.Length != 1 || invocation.Parent is not IExpressionStatementOperation
            || invocation.Arguments[0].Value.WithoutConversions() is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
            || lambda.Symbol.Parameters.Length != 1)
        {
            return false;
        }

        IParameterSymbol state = lambda.Symbol.Parameters[0];
        foreach (IOperation descendant in lambda.Body.Descendants())
        {
            if (descendant is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, state))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A call used as a statement, or assigned to the discard <c>_</c>.</summary>
    private static bool IsDropped(IInvocationOperation invocation) => invocation.Parent switch
    {
        IExpressionStatementOperation => true,
        ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation } => true,
        _ => false,
    };

    /// <summary>Task.FromResult and the like: no work is running.</summary>
    private static bool IsCompletedTaskFactory(IMethodSymbol method, KnownSymbols known) =>
        method.Name is "FromResult" or "FromException" or "FromCanceled" && known.IsTaskLike(method.ContainingType);

    /// <summary>
    /// Whether <c>Call(args)</c> may move into <c>() =&gt; Call(args)</c>: the receiver and the arguments then are
    /// read when the task starts, so each must read the same then (constants, <c>this</c>, locals and parameters
    /// written only at their declaration, readonly fields and get-only properties of those, lambdas).
    /// </summary>
    private static bool IsSafeToDefer(IInvocationOperation call)
    {
        IOperation? root = null;
        if (call.Instance is { } instance && !IsStable(instance, ref root, call))
        {
            return false;
        }

        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out || !IsStable(argument.Value, ref root, call))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsStable(IOperation value, ref IOperation? root, IOperation call)
    {
        if (value.ConstantValue.HasValue)
        {
            return true;
        }

        value = value.WithoutConversions();
        switch (value)
        {
            case IInstanceReferenceOperation:
            case IDefaultValueOperation:
            case ITypeOfOperation:
            case IDelegateCreationOperation:
            case IAnonymousFunctionOperation:
                return true;
            case IParameterReferenceOperation parameter:
                return parameter.Parameter.RefKind == RefKind.None && !(root ??= call.Root()).AssignsTo(parameter.Parameter);
            case ILocalReferenceOperation local:
                return local.Local.RefKind == RefKind.None && !(root ??= call.Root()).AssignsTo(local.Local);
            case IFieldReferenceOperation field:
                return (field.Field.IsReadOnly || field.Field.IsConst) && (field.Instance is null || IsStable(field.Instance, ref root, call));
            case IPropertyReferenceOperation { Instance: { } instance } property:
                // A get-only instance property of a stable object (static ones such as DateTime.Now are computed).
                return property.Property.SetMethod is null && property.Arguments.Length == 0 && IsStable(instance, ref root, call);
            default:
                // Calls, creations and computed values would be evaluated later, and may differ.
                return false;
        }
    }
}
