using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Dual-mode code: one async method that does its I/O synchronously or asynchronously as a flag says, as database
/// drivers do (<c>async ? await s.ReadAsync(...) : s.Read(...)</c>, <c>if (async) await ...; else ...</c>,
/// <c>ioBehavior == IOBehavior.Asynchronous ? ... : ...</c>). The synchronous arm runs only when the caller asked
/// for blocking I/O, so it is not code on the loop: a caller on the loop asks for the asynchronous arm.
/// </summary>
internal static class DualMode
{
    /// <summary>
    /// Whether <paramref name="arm"/>, a branch of <paramref name="conditional"/>, is the synchronous arm: the
    /// condition tests a mode flag (see <see cref="IsModeTest"/>), the other arm awaits (or hands on an <c>XAsync</c>
    /// task), and this one does not. The other arm of an <c>if</c> without <c>else</c> is
    /// the code that follows it in its block.
    /// </summary>
    public static bool IsSyncArm(IConditionalOperation conditional, IOperation arm)
    {
        if ((arm != conditional.WhenTrue && arm != conditional.WhenFalse) || !IsModeTest(conditional.Condition))
        {
            return false;
        }

        return !IsAsynchronous(arm) && OtherArm(conditional, arm).Exists(IsAsynchronous);
    }

    private static List<IOperation> OtherArm(IConditionalOperation conditional, IOperation arm)
    {
        var other = new List<IOperation>();
        IOperation? branch = arm == conditional.WhenTrue ? conditional.WhenFalse : conditional.WhenTrue;
        if (branch is not null)
        {
            other.Add(branch);
        }
        else if (conditional.Parent is IBlockOperation block)
        {
            bool after = false;
            foreach (IOperation statement in block.Operations)
            {
                if (after)
                {
                    other.Add(statement);
                }

                after |= statement == conditional;
            }
        }

        return other;
    }

    /// <summary>
    /// A mode test: a bool parameter or local whose name says sync or async (<c>async</c>, <c>!isAsync</c>,
    /// <c>runSynchronously</c>), or an enum parameter or local compared with a value whose name says so
    /// (<c>ioBehavior == IOBehavior.Asynchronous</c>, <c>mode is Mode.Sync</c>). Other conditions (a connection's state,
    /// a field) say nothing of the caller's choice.
    /// </summary>
    private static bool IsModeTest(IOperation condition)
    {
        condition = condition.WithoutConversions();
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return IsModeTest(not.Operand);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                return IsModeComparison(comparison.LeftOperand, comparison.RightOperand) || IsModeComparison(comparison.RightOperand, comparison.LeftOperand);
            case IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern:
                return IsModeComparison(pattern.Value, constant.Value);
            default:
                return IsFlag(condition) && condition.Type?.SpecialType == SpecialType.System_Boolean && SaysSync(FlagName(condition));
        }
    }

    /// <summary>A parameter or local (a captured one included) of type bool or of an enum type.</summary>
    private static bool IsFlag(IOperation operation)
    {
        operation = operation.WithoutConversions();
        return operation is ILocalReferenceOperation or IParameterReferenceOperation
            && operation.Type is { } type
            && (type.SpecialType == SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum);
    }

    private static string FlagName(IOperation operation) => operation.WithoutConversions() switch
    {
        ILocalReferenceOperation local => local.Local.Name,
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        _ => string.Empty,
    };

    /// <summary>A bool flag named for the mode against <c>true</c>/<c>false</c>, or an enum flag against a value named for the mode.</summary>
    private static bool IsModeComparison(IOperation flag, IOperation value)
    {
        if (!IsFlag(flag))
        {
            return false;
        }

        value = value.WithoutConversions();
        return value is IFieldReferenceOperation { Field: { ContainingType.TypeKind: TypeKind.Enum } member }
            ? SaysSync(member.Name)
            : value.ConstantValue is { HasValue: true, Value: bool } && SaysSync(FlagName(flag));
    }

    private static bool SaysSync(string name) => name.IndexOf("sync", System.StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// Awaits (outside any nested lambda or local function), or is itself the call of an <c>XAsync</c> method whose
    /// task is handed on (<c>await (async ? s.ReadAsync(...) : Task.FromResult(s.Read(...)))</c>).
    /// </summary>
    private static bool IsAsynchronous(IOperation operation)
    {
        if (operation is IAwaitOperation
            || (operation.WithoutConversions() is IInvocationOperation call && call.TargetMethod.Name.EndsWith("Async", System.StringComparison.Ordinal) && !call.TargetMethod.ReturnsVoid))
        {
            return true;
        }

        foreach (IOperation descendant in Descendants(operation))
        {
            if (descendant is IAwaitOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<IOperation> Descendants(IOperation operation)
    {
        var stack = new Stack<IOperation>();
        stack.Push(operation);
        while (stack.Count > 0)
        {
            foreach (IOperation child in stack.Pop().ChildOperations)
            {
                if (child is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                yield return child;
                stack.Push(child);
            }
        }
    }
}
