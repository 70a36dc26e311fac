using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// What becomes of the work a shield (AIO002) stops waiting for, where its own type shows that nothing is left behind
/// when the wait is abandoned:
/// <list type="bullet">
/// <item><b>joined by its owner</b>: the work is a task the object holds (a field or property, or a collection of
/// them) and the object's close path (a member named Dispose…, Close…, Stop…, Shutdown…, Abort…, Join…, Terminate…),
/// or a <c>catch</c>/<c>finally</c> around the shield, awaits it without a token that could cut that wait short;</item>
/// <item><b>torn down on the way out</b>: the work is a task the object holds, and a <c>catch</c> that receives the
/// wait's cancellation (or a <c>finally</c>) closes, aborts or disposes the object or one of its members (the socket
/// its background loop reads from), so the work ends with its resources instead of going on;</item>
/// <item><b>a pending read</b>: the work is a <c>Task&lt;T&gt;</c> field that the type only ever fills from a read
/// (a method named Get…, Read…, Receive…, Fetch…, Peek…, Query…), waited for its value. A read has no effect to
/// lose when the process exits under it, and a read started earlier, without this caller's token, can only honour
/// that token by a wait like this one.</item>
/// </list>
/// Only the work's own file is read, and only when a shield would otherwise be reported, so the cost stays with the
/// rare shields.
/// </summary>
internal static class ShieldedWork
{
    // How far locals, same-type helpers and combinators are followed back to the tasks they hold.
    private const int MaxDepth = 4;

    private static readonly string[] CloseVerbs = { "Dispose", "Close", "Stop", "Shutdown", "Abort", "Join", "Terminate" };
    private static readonly string[] TearDownNames = { "Close", "CloseAsync", "Abort", "AbortAsync", "Dispose", "DisposeAsync" };
    private static readonly string[] ReadVerbs = { "Get", "Read", "Receive", "Fetch", "Peek", "Query" };

    /// <summary>Whether the work <paramref name="work"/> that <paramref name="shield"/> waits for is provably not left behind.</summary>
    /// <param name="shield">The <c>WaitAsync</c> or <c>WhenAny</c> call.</param>
    /// <param name="work">The work it waits for (the WaitAsync receiver, or one WhenAny element).</param>
    /// <param name="known">The well-known symbols.</param>
    /// <param name="waitsForValue">Whether the shield is awaited for the work's result (a read's value).</param>
    public static bool IsNotLeftBehind(IInvocationOperation shield, IOperation work, KnownSymbols known, bool waitsForValue)
    {
        if (shield.SemanticModel is not { } model || ContainingType(shield, model) is not { } owner)
        {
            return false;
        }

        var sources = new List<IOperation>();
        Collect(work, known, model, owner, sources, 0);
        if (sources.Count == 0)
        {
            return false;
        }

        return (waitsForValue && IsPendingRead(sources, known, model))
            || IsJoinedByOwner(sources, shield, known, model, owner)
            || IsTornDownOnTheWayOut(sources, shield);
    }

    /// <summary>Whether the value of <paramref name="shield"/> is used: <c>x = await work.WaitAsync(token)</c>, <c>return await ...</c>.</summary>
    public static bool IsAwaitedForItsValue(IInvocationOperation shield, KnownSymbols known)
    {
        if (shield.Type is not INamedTypeSymbol { IsGenericType: true } || !known.IsTaskLike(shield.Type))
        {
            return false;
        }

        IOperation current = shield;
        while (current.Parent is { } parent)
        {
            switch (parent)
            {
                case IConversionOperation or IParenthesizedOperation or IArgumentOperation:
                    current = parent;
                    continue;
                case IInvocationOperation wrapper when wrapper.WithoutConfigureAwait(known) == shield:
                    current = parent;
                    continue;
                case IAwaitOperation awaited:
                    return awaited.Parent is not IExpressionStatementOperation;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// The operations that hold the work: task fields and properties (or collections of tasks), read through locals of
    /// the function, <c>Task.WhenAny</c>/<c>WhenAll</c>, <c>switch</c> and <c>?:</c> arms, and the returns of a
    /// non-virtual, non-async helper of the same type in the same file. Anything else is a source of its own (a call
    /// that starts work here), which none of the rules below accepts.
    /// </summary>
    private static void Collect(IOperation operation, KnownSymbols known, SemanticModel model, INamedTypeSymbol owner, List<IOperation> sources, int depth)
    {
        operation = operation.WithoutConfigureAwait(known);
        if (depth > MaxDepth)
        {
            sources.Add(operation);
            return;
        }

        switch (operation)
        {
            case ILocalReferenceOperation local:
                List<IOperation>? values = ValuesOf(local.Local, operation.Root());
                if (values is null || values.Count == 0)
                {
                    sources.Add(operation);
                    return;
                }

                foreach (IOperation value in values)
                {
                    Collect(value, known, model, owner, sources, depth + 1);
                }

                return;
            case IInvocationOperation { TargetMethod.Name: "WhenAny" or "WhenAll" } combinator when KnownSymbols.Is(combinator.TargetMethod.ContainingType, known.Task):
                foreach (IArgumentOperation argument in combinator.Arguments)
                {
                    foreach (IOperation element in argument.ParamsElements())
                    {
                        if (known.IsTaskLike(element.Type))
                        {
                            Collect(element, known, model, owner, sources, depth + 1);
                        }
                        else
                        {
                            // A collection of tasks (a field, or a projection of one): the task members it reads.
                            int before = sources.Count;
                            foreach (IOperation part in element.DescendantsAndSelf())
                            {
                                if (part is IFieldReferenceOperation or IPropertyReferenceOperation && HoldsTasks(part.Type, known))
                                {
                                    sources.Add(part);
                                }
                            }

                            if (sources.Count == before)
                            {
                                sources.Add(element);
                            }
                        }
                    }
                }

                return;
            case IInvocationOperation call when HelperReturns(call, model, owner) is { } returned:
                foreach (IOperation value in returned)
                {
                    Collect(value, known, model, owner, sources, depth + 1);
                }

                return;
            case ISwitchExpressionOperation switchExpression:
                foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
                {
                    Collect(arm.Value, known, model, owner, sources, depth + 1);
                }

                return;
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                Collect(conditional.WhenTrue, known, model, owner, sources, depth + 1);
                Collect(whenFalse, known, model, owner, sources, depth + 1);
                return;
            default:
                sources.Add(operation);
                return;
        }
    }

    /// <summary>What a local is given in its function (its initializer, assignments), or null when it is also written another way (ref, out).</summary>
    private static List<IOperation>? ValuesOf(ILocalSymbol local, IOperation root)
    {
        var values = new List<IOperation>();
        foreach (IOperation operation in root.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    if (declarator.Initializer is { } initializer)
                    {
                        values.Add(initializer.Value);
                    }

                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    values.Add(assignment.Value);
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: { } declared } pattern when SymbolEqualityComparer.Default.Equals(declared, local):
                    if (MatchedValue(pattern) is not { } matched)
                    {
                        return null;
                    }

                    values.Add(matched);
                    break;
                case IRecursivePatternOperation { DeclaredSymbol: { } declared } pattern when SymbolEqualityComparer.Default.Equals(declared, local):
                    if (MatchedValue(pattern) is not { } matched2)
                    {
                        return null;
                    }

                    values.Add(matched2);
                    break;
                case IAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: ILocalReferenceOperation written } when SymbolEqualityComparer.Default.Equals(written.Local, local):
                    return null;
            }
        }

        return values;
    }

    /// <summary>What a top-level pattern of <c>value is { } local</c> (or <c>is Task&lt;T&gt; local</c>) matched, or null when it is nested or not in an <c>is</c>.</summary>
    private static IOperation? MatchedValue(IPatternOperation pattern) =>
        pattern.Parent is IIsPatternOperation isPattern && isPattern.Pattern == pattern ? isPattern.Value
        : pattern.Parent is INegatedPatternOperation { Parent: IIsPatternOperation negated } not && negated.Pattern == not ? negated.Value
        : null;

    /// <summary>The returned values of a non-virtual, non-async method of <paramref name="owner"/> declared in the same file, or null.</summary>
    private static List<IOperation>? HelperReturns(IInvocationOperation call, SemanticModel model, INamedTypeSymbol owner)
    {
        IMethodSymbol method = call.TargetMethod.OriginalDefinition;
        if (method.IsAsync || method.IsVirtual || method.IsAbstract || method.IsOverride || method.MethodKind != MethodKind.Ordinary
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, owner.OriginalDefinition)
            || method.DeclaringSyntaxReferences.Length != 1 || method.DeclaringSyntaxReferences[0].SyntaxTree != model.SyntaxTree
            || model.GetOperation(method.DeclaringSyntaxReferences[0].GetSyntax()) is not { } body)
        {
            return null;
        }

        var values = new List<IOperation>();
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is IReturnOperation { ReturnedValue: { } value } && !IsInNestedFunction(operation, body))
            {
                values.Add(value);
            }
        }

        return values.Count > 0 ? values : null;
    }

    private static bool IsInNestedFunction(IOperation operation, IOperation body)
    {
        for (IOperation? current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A task, or a collection (array, list, enumerable) of tasks.</summary>
    private static bool HoldsTasks(ITypeSymbol? type, KnownSymbols known)
    {
        if (known.IsTaskLike(type))
        {
            return true;
        }

        if (type is IArrayTypeSymbol array)
        {
            return known.IsTaskLike(array.ElementType);
        }

        if (type is INamedTypeSymbol named)
        {
            foreach (INamedTypeSymbol face in named.AllInterfaces)
            {
                if (face.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T && known.IsTaskLike(face.TypeArguments[0]))
                {
                    return true;
                }
            }

            return named.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T && known.IsTaskLike(named.TypeArguments[0]);
        }

        return false;
    }

    private static ISymbol? MemberOf(IOperation source) => source switch
    {
        IFieldReferenceOperation field => field.Field.OriginalDefinition,
        IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Property.OriginalDefinition,
        _ => null,
    };

    // ------------------------------------------------------------------ a pending read

    private static bool IsPendingRead(List<IOperation> sources, KnownSymbols known, SemanticModel model)
    {
        foreach (IOperation source in sources)
        {
            if (source is not IFieldReferenceOperation { Field: var field } || field.Type is not INamedTypeSymbol { IsGenericType: true } || !known.IsTaskLike(field.Type)
                || !IsOnlyFilledByReads(field.OriginalDefinition, model))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether every value the field is given in its type (all of whose parts are in this file) is the task of a read, and there is one.</summary>
    private static bool IsOnlyFilledByReads(IFieldSymbol field, SemanticModel model)
    {
        if (!AllInThisFile(field.ContainingType, model))
        {
            return false;
        }

        bool filled = false;
        foreach (SyntaxReference reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer: { } initializer })
            {
                if (model.GetOperation(initializer.Value) is not { } value || !IsRead(value, ref filled))
                {
                    return false;
                }
            }
        }

        foreach (SyntaxReference part in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (SyntaxNode node in part.GetSyntax().DescendantNodes())
            {
                if (node is not IdentifierNameSyntax name || name.Identifier.ValueText != field.Name
                    || model.GetOperation(name) is not IFieldReferenceOperation reference
                    || !SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field))
                {
                    continue;
                }

                IOperation use = reference.Parent is IConversionOperation conversion ? conversion : reference;
                switch (use.Parent)
                {
                    case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                        if (!IsRead(assignment.Value, ref filled))
                        {
                            return false;
                        }

                        break;
                    case IAssignmentOperation assignment when assignment.Target == reference:
                    case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                        return false;
                }
            }
        }

        return filled;
    }

    /// <summary>The task of a read call, or a choice of them (a null or default clears the field and is no value).</summary>
    private static bool IsRead(IOperation value, ref bool filled)
    {
        value = value.WithoutConversions();
        if (value is IDefaultValueOperation || value.ConstantValue is { HasValue: true, Value: null })
        {
            return true;
        }

        if (value is IConditionalOperation { WhenFalse: { } whenFalse } conditional)
        {
            return IsRead(conditional.WhenTrue, ref filled) && IsRead(whenFalse, ref filled);
        }

        if (value is IInvocationOperation call && call.Type is INamedTypeSymbol { IsGenericType: true } && IsReadName(call.TargetMethod.Name))
        {
            filled = true;
            return true;
        }

        return false;
    }

    /// <summary>A name that says "read": a read verb followed by the next word (not "GetOrAdd", which also writes).</summary>
    private static bool IsReadName(string name)
    {
        foreach (string verb in ReadVerbs)
        {
            if (name.StartsWith(verb, StringComparison.Ordinal) && name.Length > verb.Length && char.IsUpper(name[verb.Length])
                && !name.StartsWith(verb + "Or", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ joined by its owner

    private static bool IsJoinedByOwner(List<IOperation> sources, IInvocationOperation shield, KnownSymbols known, SemanticModel model, INamedTypeSymbol owner)
    {
        var members = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation source in sources)
        {
            if (MemberOf(source) is not { } member || !HoldsTasks(source.Type, known))
            {
                return false;
            }

            members.Add(member);
        }

        foreach (ISymbol member in members)
        {
            if (!IsAwaitedOnTheWayOut(member, shield, known, model, owner))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether code of <paramref name="owner"/> in this file awaits <paramref name="member"/> (directly, or through a local
    /// of its function that it gave, a <c>foreach</c> variable over it included) in its close path or in a
    /// <c>catch</c>/<c>finally</c> around the shield, with nothing in that await that could stop it early.
    /// </summary>
    private static bool IsAwaitedOnTheWayOut(ISymbol member, IInvocationOperation shield, KnownSymbols known, SemanticModel model, INamedTypeSymbol owner)
    {
        SyntaxNode shieldFunction = shield.Root().Syntax;
        foreach (SyntaxReference part in owner.DeclaringSyntaxReferences)
        {
            if (part.SyntaxTree != model.SyntaxTree)
            {
                continue;
            }

            foreach (SyntaxNode node in part.GetSyntax().DescendantNodes())
            {
                // Only awaits in a close path or in the shield's own function can join; the others are not bound.
                if (node is not AwaitExpressionSyntax awaitSyntax || awaitSyntax.Span.Contains(shield.Syntax.Span)
                    || !(IsInCloseMember(awaitSyntax) || shieldFunction.Span.Contains(awaitSyntax.Span))
                    || model.GetOperation(awaitSyntax) is not IAwaitOperation awaited
                    || !(IsInCloseMember(awaitSyntax) || IsInHandlerAround(awaited, shield))
                    || !Mentions(awaited.Operation, member) || CanStopEarly(awaited.Operation, known))
                {
                    continue;
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="node"/> is in a member named for a close path (lambdas and local functions in it included).</summary>
    private static bool IsInCloseMember(SyntaxNode node)
    {
        // An explicit implementation (System.IAsyncDisposable.DisposeAsync) has the plain name as its identifier.
        string? name = null;
        for (SyntaxNode? current = node.Parent; current is not null && name is null; current = current.Parent)
        {
            name = current switch
            {
                MethodDeclarationSyntax method => method.Identifier.ValueText,
                BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax or BaseTypeDeclarationSyntax => string.Empty,
                _ => null,
            };
        }

        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (string verb in CloseVerbs)
        {
            if (name!.StartsWith(verb, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="operation"/> sits in a catch or finally of a try whose body holds <paramref name="shield"/>.</summary>
    private static bool IsInHandlerAround(IOperation operation, IInvocationOperation shield)
    {
        foreach (ITryOperation tryOperation in TriesAround(shield))
        {
            foreach (ICatchClauseOperation clause in tryOperation.Catches)
            {
                if (Contains(clause.Handler, operation))
                {
                    return true;
                }
            }

            if (tryOperation.Finally is { } finallyBlock && Contains(finallyBlock, operation))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IOperation outer, IOperation inner) =>
        outer.Syntax.SyntaxTree == inner.Syntax.SyntaxTree && outer.Syntax.Span.Contains(inner.Syntax.Span);

    /// <summary>Whether the awaited expression reads <paramref name="member"/>, directly or through a local that holds what it gave.</summary>
    private static bool Mentions(IOperation operand, ISymbol member)
    {
        HashSet<ILocalSymbol>? copies = null;
        foreach (IOperation operation in operand.DescendantsAndSelf())
        {
            if (MemberOf(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, member))
            {
                return true;
            }

            if (operation is ILocalReferenceOperation local && (copies ??= CopiesOf(member, operand.Root())).Contains(local.Local))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The locals given a value that reads <paramref name="member"/>: declarations, assignments, and <c>foreach</c> variables over it.</summary>
    private static HashSet<ILocalSymbol> CopiesOf(ISymbol member, IOperation root)
    {
        var copies = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in root.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when Reads(value, member):
                    copies.Add(declarator.Symbol);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when Reads(assignment.Value, member):
                    copies.Add(target.Local);
                    break;
                case IForEachLoopOperation loop when Reads(loop.Collection, member):
                    foreach (ILocalSymbol local in loop.Locals)
                    {
                        copies.Add(local);
                    }

                    break;
            }
        }

        return copies;
    }

    private static bool Reads(IOperation value, ISymbol member)
    {
        foreach (IOperation operation in value.DescendantsAndSelf())
        {
            if (MemberOf(operation) is { } read && SymbolEqualityComparer.Default.Equals(read, member))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A join that is itself a shield or a race (<c>WaitAsync</c> with a token, <c>WhenAny</c>) does not join.</summary>
    private static bool CanStopEarly(IOperation operand, KnownSymbols known)
    {
        foreach (IOperation operation in operand.DescendantsAndSelf())
        {
            if (operation is not IInvocationOperation call)
            {
                continue;
            }

            if (call.TargetMethod.Name == "WhenAny")
            {
                return true;
            }

            if (call.TargetMethod.Name == "WaitAsync")
            {
                foreach (IArgumentOperation argument in call.Arguments)
                {
                    if (known.IsCancellationToken(argument.Parameter?.Type) && argument.ArgumentKind != ArgumentKind.DefaultValue && !argument.Value.IsExplicitNoneToken())
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ torn down on the way out

    private static bool IsTornDownOnTheWayOut(List<IOperation> sources, IInvocationOperation shield)
    {
        foreach (IOperation source in sources)
        {
            if (!IsOwnMember(source))
            {
                return false;
            }
        }

        foreach (ITryOperation tryOperation in TriesAround(shield))
        {
            foreach (ICatchClauseOperation clause in tryOperation.Catches)
            {
                if (clause.Filter is null && CatchesCancellation(clause.ExceptionType) && TearsDownOwnMember(clause.Handler))
                {
                    return true;
                }
            }

            if (tryOperation.Finally is { } finallyBlock && TearsDownOwnMember(finallyBlock))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A field or property of this object (<c>_mainLoop</c>, <c>this.Loop</c>).</summary>
    private static bool IsOwnMember(IOperation operation) => operation switch
    {
        IFieldReferenceOperation { Field.IsStatic: false, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } => true,
        IPropertyReferenceOperation { Property.IsStatic: false, Arguments.Length: 0, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } => true,
        _ => false,
    };

    /// <summary>A catch-all, or a catch of OperationCanceledException, a type it derives from, or one derived from it.</summary>
    private static bool CatchesCancellation(ITypeSymbol caught)
    {
        if (caught.SpecialType == SpecialType.System_Object)
        {
            return true;
        }

        for (ITypeSymbol? type = caught; type is not null; type = type.BaseType)
        {
            if (type is { Name: "OperationCanceledException", ContainingNamespace.Name: "System" })
            {
                return true;
            }
        }

        return caught is { Name: "Exception" or "SystemException", ContainingNamespace.Name: "System" };
    }

    /// <summary>Whether <paramref name="block"/> closes, aborts or disposes this object or one of its members.</summary>
    private static bool TearsDownOwnMember(IOperation block)
    {
        foreach (IOperation operation in block.Descendants())
        {
            if (operation is IInvocationOperation { Instance: { } target } call && Array.IndexOf(TearDownNames, call.TargetMethod.Name) >= 0)
            {
                IOperation receiver = target.WithoutConversions();
                if (receiver is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } || IsOwnMember(receiver))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The try statements whose body holds <paramref name="shield"/>, innermost first, within its function.</summary>
    private static IEnumerable<ITryOperation> TriesAround(IOperation shield)
    {
        IOperation child = shield;
        for (IOperation? current = shield.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                yield break;
            }

            if (current is ITryOperation tryOperation && child == tryOperation.Body)
            {
                yield return tryOperation;
            }
        }
    }

    private static INamedTypeSymbol? ContainingType(IOperation operation, SemanticModel model) =>
        model.GetEnclosingSymbol(operation.Syntax.SpanStart)?.ContainingType is { } type ? type.OriginalDefinition : null;

    private static bool AllInThisFile(INamedTypeSymbol type, SemanticModel model)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != model.SyntaxTree)
            {
                return false;
            }
        }

        return type.DeclaringSyntaxReferences.Length > 0;
    }
}
