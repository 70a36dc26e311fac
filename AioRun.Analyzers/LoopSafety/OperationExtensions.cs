using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>Small questions about operations that several rules ask.</summary>
internal static class OperationExtensions
{
    /// <summary>The operation under implicit and explicit conversions and parentheses.</summary>
    public static IOperation WithoutConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The awaited or dropped call under any <c>.ConfigureAwait(...)</c>.</summary>
    public static IOperation WithoutConfigureAwait(this IOperation operation, KnownSymbols known)
    {
        operation = operation.WithoutConversions();
        while (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } instance } invocation
            && known.IsTaskLike(invocation.TargetMethod.ContainingType))
        {
            operation = instance.WithoutConversions();
        }

        return operation;
    }

    /// <summary>Whether a token argument says "no cancellation" on purpose: <c>CancellationToken.None</c>, <c>default</c>, <c>new CancellationToken()</c>.</summary>
    public static bool IsExplicitNoneToken(this IOperation value)
    {
        value = value.WithoutConversions();
        return value switch
        {
            IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true } => true,
            IDefaultValueOperation => true,
            IObjectCreationOperation { Arguments.Length: 0 } => true,
            IObjectCreationOperation { Arguments.Length: 1 } creation => creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false },
            _ => false,
        };
    }

    /// <summary>The top of the operation tree that holds <paramref name="operation"/> (the member's body).</summary>
    public static IOperation Root(this IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>The element operations of a <c>params</c> argument (array or collection), or the value itself.</summary>
    public static System.Collections.Generic.IEnumerable<IOperation> ParamsElements(this IArgumentOperation argument)
    {
        IOperation value = argument.Value.WithoutConversions();
        if (argument.ArgumentKind == ArgumentKind.Explicit)
        {
            yield return value;
            yield break;
        }

        if (value is IArrayCreationOperation { Initializer: { } initializer })
        {
            foreach (IOperation element in initializer.ElementValues)
            {
                yield return element.WithoutConversions();
            }

            yield break;
        }

        // A params collection (ReadOnlySpan<T>, C# 13) is a collection expression, which this Roslyn does not model.
        foreach (IOperation child in value.ChildOperations)
        {
            yield return child.WithoutConversions();
        }
    }
}
