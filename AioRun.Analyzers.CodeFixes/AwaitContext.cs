using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>Whether an <c>await</c> can go where a node is, and how to make its function <c>async</c>.</summary>
internal static class AwaitContext
{
    /// <summary>What inserting an await at a node needs.</summary>
    public enum Support
    {
        /// <summary>No await can go there (a synchronous lambda, a lock, a query, a catch filter, a void method...).</summary>
        Impossible,

        /// <summary>The function is async already.</summary>
        Ready,

        /// <summary>The function returns a task without being async, and every return converts: make it async.</summary>
        NeedsAsync,
    }

    /// <summary>Whether an await can replace <paramref name="node"/>; <paramref name="function"/> is the function that holds it.</summary>
    public static Support Check(SyntaxNode node, out SyntaxNode? function)
    {
        function = null;
        for (SyntaxNode? current = node.Parent, child = node; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case LockStatementSyntax @lock when child == @lock.Statement:
                case QueryExpressionSyntax:
                case CatchFilterClauseSyntax:
                    return Support.Impossible;
                case AnonymousFunctionExpressionSyntax lambda:
                    function = lambda;
                    return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) ? Support.Ready : Support.Impossible;
                case LocalFunctionStatementSyntax local:
                    function = local;
                    return Classify(local.Modifiers, local.ReturnType, local.Body);
                case MethodDeclarationSyntax method:
                    function = method;
                    return Classify(method.Modifiers, method.ReturnType, method.Body);
                case MemberDeclarationSyntax or AccessorDeclarationSyntax:
                    return Support.Impossible;
            }
        }

        return Support.Impossible;
    }

    private static Support Classify(SyntaxTokenList modifiers, TypeSyntax returnType, BlockSyntax? body)
    {
        if (modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            return Support.Ready;
        }

        if (body is null || ReturnKind(returnType) is not { } generic)
        {
            return Support.Impossible;
        }

        foreach (SyntaxNode descendant in body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (descendant is YieldStatementSyntax)
            {
                return Support.Impossible;
            }

            if (descendant is ReturnStatementSyntax @return && !TryConvertReturn(@return, generic, out _))
            {
                return Support.Impossible;
            }
        }

        return Support.NeedsAsync;
    }

    /// <summary>Adds <c>async</c> to a method or local function and turns its <c>return Task...</c> into plain returns.</summary>
    public static SyntaxNode MakeAsync(SyntaxNode function)
    {
        switch (function)
        {
            case MethodDeclarationSyntax method when method.Body is not null && ReturnKind(method.ReturnType) is { } generic:
            {
                BlockSyntax body = RewriteReturns(method.Body, generic);
                (SyntaxTokenList modifiers, TypeSyntax returnType) = AddAsync(method.Modifiers, method.ReturnType);
                return method.WithBody(body).WithModifiers(modifiers).WithReturnType(returnType);
            }

            case LocalFunctionStatementSyntax local when local.Body is not null && ReturnKind(local.ReturnType) is { } generic:
            {
                BlockSyntax body = RewriteReturns(local.Body, generic);
                (SyntaxTokenList modifiers, TypeSyntax returnType) = AddAsync(local.Modifiers, local.ReturnType);
                return local.WithBody(body).WithModifiers(modifiers).WithReturnType(returnType);
            }

            default:
                return function;
        }
    }

    private static (SyntaxTokenList Modifiers, TypeSyntax ReturnType) AddAsync(SyntaxTokenList modifiers, TypeSyntax returnType)
    {
        SyntaxToken asyncKeyword = SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (modifiers.Count == 0)
        {
            // The return type's leading trivia (indentation, attributes' line break) moves to `async`.
            asyncKeyword = asyncKeyword.WithLeadingTrivia(returnType.GetLeadingTrivia());
            return (SyntaxFactory.TokenList(asyncKeyword), returnType.WithoutLeadingTrivia());
        }

        return (modifiers.Add(asyncKeyword), returnType);
    }

    private static BlockSyntax RewriteReturns(BlockSyntax body, bool generic)
    {
        BlockSyntax rewritten = body.ReplaceNodes(
            body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<ReturnStatementSyntax>(),
            (original, current) =>
            {
                var statement = (ReturnStatementSyntax)current;
                if (!TryConvertReturn(statement, generic, out ExpressionSyntax? value))
                {
                    return statement;
                }

                return value is null
                    ? statement.WithExpression(null).WithReturnKeyword(statement.ReturnKeyword.WithTrailingTrivia())
                    : statement.WithReturnKeyword(statement.ReturnKeyword.WithTrailingTrivia(SyntaxFactory.Space))
                        .WithExpression(value.WithoutLeadingTrivia().WithTrailingTrivia(statement.Expression!.GetTrailingTrivia()));
            });

        // A bare `return;` closing the body says nothing: drop it.
        if (!generic && rewritten.Statements.LastOrDefault() is ReturnStatementSyntax { Expression: null } last)
        {
            bool onlyLayout = last.GetLeadingTrivia().Concat(last.GetTrailingTrivia())
                .All(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia));
            rewritten = rewritten.RemoveNode(last, onlyLayout ? SyntaxRemoveOptions.KeepNoTrivia : SyntaxRemoveOptions.KeepExteriorTrivia)!;
        }

        return rewritten;
    }

    /// <summary>
    /// How a return of a non-async task method reads once the method is async: <c>return Task.CompletedTask;</c>,
    /// <c>return default;</c>, <c>return new ValueTask();</c> become <c>return;</c> (<paramref name="value"/> null);
    /// <c>return Task.FromResult(x);</c>, <c>return ValueTask.FromResult(x);</c>, <c>return new ValueTask&lt;T&gt;(x);</c>
    /// become <c>return x;</c>. Any other return does not convert.
    /// </summary>
    private static bool TryConvertReturn(ReturnStatementSyntax @return, bool generic, out ExpressionSyntax? value)
    {
        value = null;
        ExpressionSyntax? expression = @return.Expression;
        if (expression is null)
        {
            return false;
        }

        if (!generic)
        {
            return expression switch
            {
                MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" } => true,
                LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.DefaultLiteralExpression),
                DefaultExpressionSyntax => true,
                ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } creation => IsNamed(creation.Type, "ValueTask"),
                ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } => true,
                _ => false,
            };
        }

        value = expression switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" }, ArgumentList.Arguments.Count: 1 } call
                => call.ArgumentList.Arguments[0].Expression,
            ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 1 } creation when IsNamed(creation.Type, "ValueTask")
                => creation.ArgumentList!.Arguments[0].Expression,
            _ => null,
        };
        return value is not null;
    }

    /// <summary>For a Task/ValueTask return type: whether it is generic; otherwise <see langword="null"/>.</summary>
    private static bool? ReturnKind(TypeSyntax returnType)
    {
        TypeSyntax type = returnType is QualifiedNameSyntax qualified ? qualified.Right : returnType is AliasQualifiedNameSyntax alias ? alias.Name : returnType;
        return type switch
        {
            IdentifierNameSyntax { Identifier.ValueText: "Task" or "ValueTask" } => false,
            GenericNameSyntax { Identifier.ValueText: "Task" or "ValueTask", TypeArgumentList.Arguments.Count: 1 } => true,
            _ => null,
        };
    }

    private static bool IsNamed(TypeSyntax type, string name) => type switch
    {
        QualifiedNameSyntax qualified => IsNamed(qualified.Right, name),
        SimpleNameSyntax simple => simple.Identifier.ValueText == name,
        _ => false,
    };
}
