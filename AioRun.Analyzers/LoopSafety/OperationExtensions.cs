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

    /// <summary>
    /// The awaited or dropped call under any <c>.ConfigureAwait(...)</c>, and under any extension method that only
    /// wraps a task into an awaitable, as projects write their own (<c>task.ForAwait()</c>, returning
    /// <c>task.ConfigureAwait(false)</c>): an extension of a task-like receiver that returns a task-like or configured
    /// awaitable and takes nothing else but constants.
    /// </summary>
    public static IOperation WithoutConfigureAwait(this IOperation operation, KnownSymbols known)
    {
        operation = operation.WithoutConversions();
        while (true)
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } instance } invocation
                && known.IsTaskLike(invocation.TargetMethod.ContainingType))
            {
                operation = instance.WithoutConversions();
            }
            else if (operation is IInvocationOperation { Instance: null, TargetMethod.IsExtensionMethod: true, Arguments.Length: > 0 } wrapper
                && IsAwaitableWrapper(wrapper, known))
            {
                operation = wrapper.Arguments[0].Value.WithoutConversions();
            }
            else
            {
                return operation;
            }
        }
    }

    private static bool IsAwaitableWrapper(IInvocationOperation call, KnownSymbols known)
    {
        IMethodSymbol method = call.TargetMethod;
        if (known.IsAioRunMember(method) || !known.IsTaskOrConfiguredAwaitable(method.ReturnType)
            || !known.IsTaskLike(call.Arguments[0].Value.WithoutConversions().Type))
        {
            return false;
        }

        for (int i = 1; i < call.Arguments.Length; i++)
        {
            IArgumentOperation argument = call.Arguments[i];
            if (argument.ArgumentKind != ArgumentKind.DefaultValue && !argument.Value.ConstantValue.HasValue)
            {
                return false;
            }
        }

        return true;
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

    /// <summary>
    /// Whether <paramref name="scope"/> (itself or anything in it) assigns <paramref name="symbol"/> (a local, parameter,
    /// field or property): an assignment of any kind, a deconstruction, <c>++</c>/<c>--</c>, or a <c>ref</c>/<c>out</c> argument.
    /// </summary>
    public static bool AssignsTo(this IOperation scope, ISymbol symbol)
    {
        foreach (IOperation operation in scope.DescendantsAndSelf())
        {
            IOperation? target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };
            if (target is null)
            {
                continue;
            }

            foreach (IOperation part in target is ITupleOperation ? target.Descendants() : new[] { target })
            {
                ISymbol? written = part.WithoutConversions() switch
                {
                    ILocalReferenceOperation local => local.Local,
                    IParameterReferenceOperation parameter => parameter.Parameter,
                    IFieldReferenceOperation field => field.Field,
                    IPropertyReferenceOperation property => property.Property,
                    _ => null,
                };
                if (written is not null && SymbolEqualityComparer.Default.Equals(written, symbol))
                {
                    return true;
                }
            }
        }

        return false;
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
