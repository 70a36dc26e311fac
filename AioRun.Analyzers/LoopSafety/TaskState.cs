using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Whether a task is known to be complete where its result is read, so that <c>.Result</c>, <c>.Wait()</c> or
/// <c>GetAwaiter().GetResult()</c> do not block: a completed-task constant (<c>Task.CompletedTask</c>,
/// <c>Task.FromResult(x)</c>, <c>new ValueTask&lt;T&gt;(x)</c>, ...), a task already awaited earlier in the same
/// function (directly or through <c>Task.WhenAll</c>), or a read guarded by <c>if (task.IsCompleted)</c>.
/// </summary>
internal static class TaskState
{
    public static bool IsKnownComplete(IOperation task, IOperation use, KnownSymbols known)
    {
        task = task.WithoutConversions();
        if (IsCompletedConstant(task, known))
        {
            return true;
        }

        ISymbol? symbol = Symbol(task);
        return symbol is not null && (IsGuarded(symbol, use) || IsAwaitedBefore(symbol, use, known));
    }

    private static bool IsCompletedConstant(IOperation task, KnownSymbols known) => task switch
    {
        IPropertyReferenceOperation { Property.Name: "CompletedTask" } property => known.IsTaskLike(property.Property.ContainingType),
        IInvocationOperation { TargetMethod.Name: "FromResult" or "FromException" or "FromCanceled" } call => known.IsTaskLike(call.TargetMethod.ContainingType),
        IDefaultValueOperation => true,
        IObjectCreationOperation creation => known.IsValueTask(creation.Type)
            && (creation.Arguments.Length == 0 || !IsTaskOrSource(creation.Arguments[0].Value.Type, known)),
        _ => false,
    };

    private static bool IsTaskOrSource(ITypeSymbol? type, KnownSymbols known) =>
        known.IsTask(type) || type is INamedTypeSymbol { Name: "IValueTaskSource" };

    /// <summary>The local, parameter, field or property that holds the task, if it is one.</summary>
    private static ISymbol? Symbol(IOperation task) => task switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } property => property.Property,
        _ => null,
    };

    private static bool Refers(IOperation operation, ISymbol symbol) =>
        Symbol(operation.WithoutConversions()) is { } found && SymbolEqualityComparer.Default.Equals(found, symbol);

    /// <summary>Inside the true branch of <c>if (task.IsCompleted ...)</c> or <c>task.IsCompleted ? task.Result : ...</c>.</summary>
    private static bool IsGuarded(ISymbol symbol, IOperation use)
    {
        IOperation child = use;
        for (IOperation? current = use.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            if (current is IConditionalOperation conditional && conditional.WhenTrue == child && ChecksCompleted(conditional.Condition, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ChecksCompleted(IOperation condition, ISymbol symbol)
    {
        condition = condition.WithoutConversions();
        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and)
        {
            return ChecksCompleted(and.LeftOperand, symbol) || ChecksCompleted(and.RightOperand, symbol);
        }

        return condition is IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully", Instance: { } instance }
            && Refers(instance, symbol);
    }

    /// <summary>An <c>await task</c> (or <c>await Task.WhenAll(..., task, ...)</c>) earlier in the same function.</summary>
    private static bool IsAwaitedBefore(ISymbol symbol, IOperation use, KnownSymbols known)
    {
        IOperation body = use;
        while (body.Parent is { } parent && body is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
        {
            body = parent;
        }

        int position = use.Syntax.SpanStart;
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is not IAwaitOperation awaited || awaited.Syntax.Span.End > position)
            {
                continue;
            }

            IOperation operand = awaited.Operation.WithoutConfigureAwait(known);
            if (Refers(operand, symbol))
            {
                return true;
            }

            if (operand is IInvocationOperation { TargetMethod.Name: "WhenAll" } whenAll && KnownSymbols.Is(whenAll.TargetMethod.ContainingType, known.Task))
            {
                foreach (IArgumentOperation argument in whenAll.Arguments)
                {
                    foreach (IOperation element in argument.ParamsElements())
                    {
                        if (Refers(element, symbol))
                        {
                            return true;
                        }
                    }
                }
            }
        }

        return false;
    }
}
