using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>Syntax the fixes write: AioRun's members (fully qualified, then simplified), awaits, arguments.</summary>
internal static class AioSyntax
{
    /// <summary><c>Aio.Name</c>, written <c>global::AioRun.Aio.Name</c> and simplified (adding <c>using AioRun;</c> if need be).</summary>
    public static ExpressionSyntax AioMember(string name) => Qualified("global::AioRun.Aio." + name);

    /// <summary>A fully qualified name, simplified after the fix.</summary>
    public static ExpressionSyntax Qualified(string name) =>
        SyntaxFactory.ParseExpression(name).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>The token to pass: the enclosing function's CancellationToken parameter, else <c>Aio.CancellationToken</c>.</summary>
    public static ExpressionSyntax Token(string? parameter) =>
        parameter is null ? AioMember("CancellationToken") : SyntaxFactory.IdentifierName(parameter);

    /// <summary>A call of <paramref name="callee"/> with <paramref name="arguments"/>.</summary>
    public static InvocationExpressionSyntax Call(ExpressionSyntax callee, params ArgumentSyntax[] arguments) =>
        SyntaxFactory.InvocationExpression(callee, SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));

    /// <summary><c>await expression</c> in place of <paramref name="replaced"/>, parenthesized where a postfix operator follows.</summary>
    public static ExpressionSyntax Await(ExpressionSyntax expression, SyntaxNode replaced)
    {
        ExpressionSyntax awaited = SyntaxFactory.AwaitExpression(
            SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space),
            expression.WithoutLeadingTrivia().WithoutTrailingTrivia());
        if (NeedsParentheses(replaced))
        {
            awaited = SyntaxFactory.ParenthesizedExpression(awaited);
        }

        return awaited.WithLeadingTrivia(replaced.GetLeadingTrivia()).WithTrailingTrivia(replaced.GetTrailingTrivia());
    }

    /// <summary>Adds an argument at the end of a call: positional, or named.</summary>
    public static InvocationExpressionSyntax AddArgument(InvocationExpressionSyntax call, ExpressionSyntax value, string? name)
    {
        ArgumentSyntax argument = SyntaxFactory.Argument(value);
        if (name is not null)
        {
            argument = argument.WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(name)));
        }

        ArgumentListSyntax list = call.ArgumentList;
        SeparatedSyntaxList<ArgumentSyntax> arguments = list.Arguments.Count == 0
            ? SyntaxFactory.SingletonSeparatedList(argument)
            : list.Arguments.AddSeparator(argument);
        return call.WithArgumentList(list.WithArguments(arguments));
    }

    /// <summary>The same name with another identifier, keeping type arguments and trivia.</summary>
    public static SimpleNameSyntax Renamed(SimpleNameSyntax name, string identifier) =>
        name.WithIdentifier(SyntaxFactory.Identifier(identifier).WithTriviaFrom(name.Identifier));

    /// <summary>Whether an expression in place of <paramref name="node"/> must be parenthesized to stay a unary await.</summary>
    private static bool NeedsParentheses(SyntaxNode node) => node.Parent switch
    {
        MemberAccessExpressionSyntax access => access.Expression == node,
        ConditionalAccessExpressionSyntax conditional => conditional.Expression == node,
        ElementAccessExpressionSyntax element => element.Expression == node,
        InvocationExpressionSyntax invocation => invocation.Expression == node,
        PostfixUnaryExpressionSyntax => true,
        _ => false,
    };
}

/// <summary>Separator helper for argument lists.</summary>
internal static class SeparatedListExtensions
{
    /// <summary>Appends <paramref name="argument"/> after a comma and a space.</summary>
    public static SeparatedSyntaxList<ArgumentSyntax> AddSeparator(this SeparatedSyntaxList<ArgumentSyntax> arguments, ArgumentSyntax argument)
    {
        var nodesAndTokens = arguments.GetWithSeparators();
        nodesAndTokens = nodesAndTokens.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
        nodesAndTokens = nodesAndTokens.Add(argument);
        return SyntaxFactory.SeparatedList<ArgumentSyntax>(nodesAndTokens);
    }
}
