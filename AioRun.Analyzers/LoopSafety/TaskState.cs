using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Whether a task is known to be complete where its result is read, so that <c>.Result</c>, <c>.Wait()</c> or
/// <c>GetAwaiter().GetResult()</c> do not block:
/// <list type="bullet">
/// <item>a completed-task constant (<c>Task.CompletedTask</c>, <c>Task.FromResult(x)</c>, <c>new ValueTask&lt;T&gt;(x)</c>, ...);</item>
/// <item>a read guarded by a completion test: <c>IsCompleted</c>, <c>IsCompletedSuccessfully</c>, <c>IsFaulted</c>,
/// <c>IsCanceled</c>, <c>Status == TaskStatus.X</c> (a done status), in the branch where it holds, or after an
/// <c>if</c> that leaves when it does not (<c>if (!t.IsCompleted) return ...;</c>), or after <c>Debug.Assert</c> of it;</item>
/// <item>a task awaited (directly, or through <c>Task.WhenAll</c>) before the read on every path to it: by control
/// flow, not by text position. An await in one branch, in a loop, in a lambda, or before the variable is assigned
/// again does not count.</item>
/// </list>
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
        return symbol is not null && (IsGuarded(symbol, use) || IsEstablishedBefore(symbol, use, known));
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

    /// <summary>In the branch of a conditional (<c>if</c>, <c>?:</c>) where a completion test of the task holds.</summary>
    private static bool IsGuarded(ISymbol symbol, IOperation use)
    {
        IOperation child = use;
        for (IOperation? current = use.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            if (current is IConditionalOperation conditional
                && ((conditional.WhenTrue == child && Implies(conditional.Condition, symbol, complete: true))
                    || (conditional.WhenFalse == child && Implies(conditional.Condition, symbol, complete: false))))
            {
                return true;
            }

            if (current is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and && and.RightOperand == child
                && Implies(and.LeftOperand, symbol, complete: true))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="condition"/> being <paramref name="complete"/> (true or false) proves the task done:
    /// when true, a completion test holds; when false, the negation of one does.
    /// </summary>
    private static bool Implies(IOperation condition, ISymbol symbol, bool complete)
    {
        condition = condition.WithoutConversions();
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Implies(not.Operand, symbol, !complete);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                // a && b true: both hold; false: nothing is known of either.
                return complete && (Implies(and.LeftOperand, symbol, true) || Implies(and.RightOperand, symbol, true));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                // a || b true: one holds, so both must prove it; false: both are false.
                return complete
                    ? Implies(or.LeftOperand, symbol, true) && Implies(or.RightOperand, symbol, true)
                    : Implies(or.LeftOperand, symbol, false) || Implies(or.RightOperand, symbol, false);
            case IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled", Instance: { } instance }:
                return complete && Refers(instance, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                bool equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
                return (equals == complete) && (IsDoneStatus(comparison.LeftOperand, comparison.RightOperand, symbol) || IsDoneStatus(comparison.RightOperand, comparison.LeftOperand, symbol));
            case IIsPatternOperation { Value: IPropertyReferenceOperation { Property.Name: "Status", Instance: { } instance }, Pattern: var pattern }:
                return Refers(instance, symbol) && IsDonePattern(pattern, complete);
            default:
                return false;
        }
    }

    /// <summary><c>t.Status</c> compared with RanToCompletion, Faulted or Canceled.</summary>
    private static bool IsDoneStatus(IOperation status, IOperation value, ISymbol symbol) =>
        status.WithoutConversions() is IPropertyReferenceOperation { Property.Name: "Status", Instance: { } instance }
        && Refers(instance, symbol)
        && IsDoneStatusValue(value);

    private static bool IsDoneStatusValue(IOperation value) =>
        value.WithoutConversions() is IFieldReferenceOperation { Field: { Name: "RanToCompletion" or "Faulted" or "Canceled", ContainingType.Name: "TaskStatus" } };

    /// <summary><c>t.Status is TaskStatus.RanToCompletion</c> (or an <c>or</c> of done statuses) when it holds; <c>is not ...</c> when it does not.</summary>
    private static bool IsDonePattern(IPatternOperation pattern, bool matched) => pattern switch
    {
        IConstantPatternOperation constant => matched && IsDoneStatusValue(constant.Value),
        INegatedPatternOperation negated => IsDonePattern(negated.Pattern, !matched),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or => matched && IsDonePattern(or.LeftPattern, true) && IsDonePattern(or.RightPattern, true),
        _ => false,
    };

    /// <summary>
    /// Whether, on every path to <paramref name="use"/> within its function, something made the task complete before
    /// it and the task was not assigned again after that: walking out from the use, the statements before it in each
    /// enclosing block are looked at, nearest first.
    /// </summary>
    private static bool IsEstablishedBefore(ISymbol symbol, IOperation use, KnownSymbols known)
    {
        IOperation child = use;
        for (IOperation? current = use.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }

            // What came before a loop holds in its first iteration only, if the loop assigns the variable.
            if (current is ILoopOperation loop && Writes(loop, symbol))
            {
                return false;
            }

            if (current is not IBlockOperation block)
            {
                continue;
            }

            int index = block.Operations.IndexOf(child);
            for (int i = index - 1; i >= 0; i--)
            {
                IOperation statement = block.Operations[i];
                if (Writes(statement, symbol))
                {
                    return false;
                }

                if (Establishes(statement, symbol, known))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A statement after which the task is complete, however it ran.</summary>
    private static bool Establishes(IOperation statement, ISymbol symbol, KnownSymbols known)
    {
        switch (statement)
        {
            case IConditionalOperation { WhenFalse: null } guard when Implies(guard.Condition, symbol, complete: false):
                // if (!t.IsCompleted) { ...leaves, or awaits t... }: past it, t is done either way.
                return AlwaysLeaves(guard.WhenTrue) || EstablishesAll(guard.WhenTrue, symbol, known);
            case IConditionalOperation { WhenFalse: { } whenFalse } both:
                return EstablishesAll(both.WhenTrue, symbol, known) && EstablishesAll(whenFalse, symbol, known);
            case IExpressionStatementOperation { Operation: IInvocationOperation { TargetMethod: { Name: "Assert", ContainingType.Name: "Debug" } } assert }
                when assert.Arguments.Length > 0:
                return Implies(assert.Arguments[0].Value, symbol, complete: true);
            default:
                return AwaitsUnconditionally(statement, symbol, known);
        }
    }

    private static bool EstablishesAll(IOperation operation, ISymbol symbol, KnownSymbols known)
    {
        if (operation is not IBlockOperation block)
        {
            return Establishes(operation, symbol, known);
        }

        for (int i = block.Operations.Length - 1; i >= 0; i--)
        {
            if (Writes(block.Operations[i], symbol))
            {
                return false;
            }

            if (Establishes(block.Operations[i], symbol, known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A branch that never falls through: it ends with <c>return</c> or <c>throw</c>.</summary>
    private static bool AlwaysLeaves(IOperation branch)
    {
        IOperation last = branch is IBlockOperation { Operations.Length: > 0 } block ? block.Operations[block.Operations.Length - 1] : branch;
        return last is IReturnOperation or IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation };
    }

    /// <summary>An <c>await</c> of the task (or of <c>Task.WhenAll</c> over it) that runs whenever the statement runs.</summary>
    private static bool AwaitsUnconditionally(IOperation statement, ISymbol symbol, KnownSymbols known)
    {
        foreach (IOperation operation in statement.DescendantsAndSelf())
        {
            if (operation is not IAwaitOperation awaited || !IsUnconditionalIn(awaited, statement))
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

    /// <summary>Whether nothing between <paramref name="statement"/> and <paramref name="operation"/> may skip it (a branch, a loop, a lambda, a try, a short-circuit).</summary>
    private static bool IsUnconditionalIn(IOperation operation, IOperation statement)
    {
        IOperation child = operation;
        for (IOperation? current = operation.Parent; current is not null && child != statement; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IConditionalOperation conditional when conditional.Condition != child:
                case ILoopOperation:
                case ITryOperation:
                case ISwitchOperation:
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                case ICoalesceOperation coalesce when coalesce.Value != child:
                case IConditionalAccessOperation access when access.Operation != child:
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical when logical.LeftOperand != child:
                    return false;
            }
        }

        return true;
    }

    /// <summary>Whether the statement declares the variable, assigns it, or passes it by ref or out.</summary>
    private static bool Writes(IOperation statement, ISymbol symbol)
    {
        foreach (IOperation operation in statement.DescendantsAndSelf())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, symbol))
            {
                return true;
            }
        }

        return statement.AssignsTo(symbol);
    }
}
