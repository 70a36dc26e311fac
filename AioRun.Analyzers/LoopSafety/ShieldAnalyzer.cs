using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// AIO002: in code on the loop, <c>work.WaitAsync(token)</c> and <c>Task.WhenAny(work, &lt;a cancellable delay&gt;)</c>
/// let the caller stop waiting while the work goes on (asyncio's <c>shield</c>), but nothing tracks the work, so
/// the shutdown does not wait for it. Work that AioRun already tracks (RunInExecutor, ShutdownWaitsFor, an
/// AioTask) is not reported, nor work that its own type shows is not left behind (<see cref="ShieldedWork"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ShieldAnalyzer : LoopSafetyAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ShieldShutdownIgnores);

    /// <inheritdoc/>
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, LoopCode loop) =>
        start.RegisterOperationAction(c => AnalyzeInvocation(c, loop), OperationKind.Invocation);

    private static void AnalyzeInvocation(OperationAnalysisContext context, LoopCode loop)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (method.Name == "WaitAsync")
        {
            AnalyzeWaitAsync(context, invocation, loop);
        }
        else if (method.Name == "WhenAny")
        {
            AnalyzeWhenAny(context, invocation, loop);
        }
    }

    private static void AnalyzeWaitAsync(OperationAnalysisContext context, IInvocationOperation invocation, LoopCode loop)
    {
        KnownSymbols known = loop.Known;
        if (!known.IsTask(invocation.TargetMethod.ContainingType) || invocation.Instance is not { } work)
        {
            return;
        }

        int tokenIndex = -1;
        for (int i = 0; i < invocation.Arguments.Length; i++)
        {
            IArgumentOperation argument = invocation.Arguments[i];
            if (known.IsCancellationToken(argument.Parameter?.Type) && argument.ArgumentKind != ArgumentKind.DefaultValue && !argument.Value.IsExplicitNoneToken())
            {
                tokenIndex = i;
            }
        }

        if (tokenIndex < 0 || IsTrackedWork(work, known) || IsSignal(work) || !loop.IsOnLoop(invocation, context.ContainingSymbol)
            || ShieldedWork.IsNotLeftBehind(invocation, work, known, ShieldedWork.IsAwaitedForItsValue(invocation, known)))
        {
            return;
        }

        // The rewrite drops the token argument; named or reordered arguments are left to the user.
        bool positional = invocation.Arguments[tokenIndex].Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { NameColon: null }
            && invocation.Arguments[tokenIndex].Parameter?.Ordinal == tokenIndex;
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixData.Fix, positional ? FixData.ShieldWaitAsync : FixData.None)
            .Add(FixData.DropArgument, tokenIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ShieldShutdownIgnores, invocation.Syntax.GetLocation(), properties, "'WaitAsync' with a token"));
    }

    private static void AnalyzeWhenAny(OperationAnalysisContext context, IInvocationOperation invocation, LoopCode loop)
    {
        KnownSymbols known = loop.Known;
        if (!KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.Task))
        {
            return;
        }

        var elements = new List<IOperation>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            elements.AddRange(argument.ParamsElements());
        }

        int delayIndex = -1;
        var untrackedWork = new List<IOperation>();
        for (int i = 0; i < elements.Count; i++)
        {
            if (delayIndex < 0 && (IsCancellableDelay(elements[i], known) || IsTokenSignal(elements[i], known)))
            {
                delayIndex = i;
            }
            else if (!IsTrackedWork(elements[i], known) && !IsSignal(elements[i]))
            {
                untrackedWork.Add(elements[i]);
            }
        }

        if (delayIndex < 0 || untrackedWork.Count == 0 || !loop.IsOnLoop(invocation, context.ContainingSymbol)
            || untrackedWork.TrueForAll(work => ShieldedWork.IsNotLeftBehind(invocation, work, known, waitsForValue: false)))
        {
            return;
        }

        // The rewrite `await Aio.ShutdownWaitsFor(work);` fits `await Task.WhenAny(work, <endless delay>);` whose winner is unused.
        string fix = elements.Count == 2 && IsEndless(elements[delayIndex])
            && invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { ArgumentList.Arguments.Count: 2 }
            && invocation.Parent is IAwaitOperation { Parent: IExpressionStatementOperation }
            ? FixData.ShieldWhenAny
            : FixData.None;
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixData.Fix, fix)
            .Add(FixData.DelayArgument, delayIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ShieldShutdownIgnores, invocation.Syntax.GetLocation(), properties, "'Task.WhenAny' with a cancellable delay"));
    }

    /// <summary>Task.Delay(..., token) with a real token, or Aio.Sleep (which observes the current task's token unless given None).</summary>
    private static bool IsCancellableDelay(IOperation element, KnownSymbols known)
    {
        if (element.WithoutConfigureAwait(known) is not IInvocationOperation call)
        {
            return false;
        }

        IMethodSymbol method = call.TargetMethod;
        bool isDelay = method.Name == "Delay" && KnownSymbols.Is(method.ContainingType, known.Task);
        bool isAioSleep = method.Name == "Sleep" && KnownSymbols.Is(method.ContainingType, known.Aio);
        if (!isDelay && !isAioSleep)
        {
            return false;
        }

        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (known.IsCancellationToken(argument.Parameter?.Type))
            {
                return argument.ArgumentKind != ArgumentKind.DefaultValue && !argument.Value.IsExplicitNoneToken()
                    && !(isDelay && !IsEndless(call) && IsTimerToken(argument.Value));
            }
        }

        return isAioSleep;
    }

    /// <summary>
    /// A timeout race: <c>Task.WhenAny(work, Task.Delay(timeout, cts.Token))</c> where <c>cts</c> is a source of the
    /// function's own, created with <c>new CancellationTokenSource(...)</c> (not linked to another token) and never
    /// assigned again. Its token only stops the timer once the work won; nothing outside can cancel the delay, so
    /// the shutdown cannot make the caller leave the work behind.
    /// </summary>
    private static bool IsTimerToken(IOperation token)
    {
        if (token.WithoutConversions() is not IPropertyReferenceOperation { Property.Name: "Token", Instance: ILocalReferenceOperation source }
            || source.Local.Type is not INamedTypeSymbol { Name: "CancellationTokenSource" })
        {
            return false;
        }

        bool created = false;
        foreach (IOperation operation in token.Root().Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, source.Local):
                    created = declarator.Initializer is { } initializer && IsNewSource(initializer.Value);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, source.Local):
                    return false;
            }
        }

        return created;
    }

    private static bool IsNewSource(IOperation value) =>
        value.WithoutConversions() is IObjectCreationOperation { Type.Name: "CancellationTokenSource" };

    /// <summary>
    /// The task of a local <c>TaskCompletionSource</c> that a registration on a token completes
    /// (<c>token.Register(() =&gt; tcs.TrySetCanceled())</c>): the same cancellable side of a <c>WhenAny</c> as a
    /// <c>Task.Delay(Infinite, token)</c>.
    /// </summary>
    private static bool IsTokenSignal(IOperation element, KnownSymbols known)
    {
        if (element.WithoutConversions() is not IPropertyReferenceOperation { Property.Name: "Task", Instance: ILocalReferenceOperation source }
            || source.Type is not INamedTypeSymbol { Name: "TaskCompletionSource" })
        {
            return false;
        }

        foreach (IOperation operation in element.Root().Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "Register" or "UnsafeRegister", Instance: { } token } registration
                && known.IsCancellationToken(token.Type)
                && !token.IsExplicitNoneToken())
            {
                foreach (IOperation part in registration.Descendants())
                {
                    if (part is ILocalReferenceOperation used && SymbolEqualityComparer.Default.Equals(used.Local, source.Local))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A signal rather than work: the task of a <c>TaskCompletionSource</c>, which someone else completes. The caller
    /// that stops waiting for it leaves no work behind.
    /// </summary>
    private static bool IsSignal(IOperation task) =>
        task.WithoutConversions() is IPropertyReferenceOperation { Property.Name: "Task", Instance.Type: INamedTypeSymbol { Name: "TaskCompletionSource" } };

    /// <summary>A delay that only cancellation ends: Timeout.Infinite, -1, Timeout.InfiniteTimeSpan, double.PositiveInfinity.</summary>
    private static bool IsEndless(IOperation delay)
    {
        if (delay.WithoutConversions() is not IInvocationOperation { Arguments.Length: > 0 } call)
        {
            return false;
        }

        IOperation value = call.Arguments[0].Value;
        if (value.ConstantValue is { HasValue: true, Value: var constant })
        {
            return constant is -1 or double.PositiveInfinity;
        }

        return value.WithoutConversions() is IFieldReferenceOperation { Field: { Name: "InfiniteTimeSpan", IsStatic: true } };
    }

    /// <summary>Work AioRun tracks already: what its own members return (RunInExecutor, ShutdownWaitsFor, CreateTask, AsTask).</summary>
    private static bool IsTrackedWork(IOperation work, KnownSymbols known)
    {
        work = work.WithoutConfigureAwait(known);
        return known.IsAioTask(work.Type)
            || (work is IInvocationOperation call && known.IsAioRunMember(call.TargetMethod) && call.TargetMethod.Name != "Sleep");
    }
}
