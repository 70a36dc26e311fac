using System.Composition;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>
/// AIO003: <c>task.Result</c> / <c>task.Wait()</c> / <c>task.GetAwaiter().GetResult()</c> → <c>await task</c>;
/// <c>Task.WaitAll(...)</c> → <c>await Task.WhenAll(...)</c>; <c>Thread.Sleep(ms)</c> → <c>await Aio.Sleep(seconds)</c>;
/// <c>X(args)</c> → <c>await XAsync(args, token)</c>. A method or local function that returns a task without being
/// async becomes async (its <c>return Task.CompletedTask;</c> / <c>return Task.FromResult(x);</c> turn into plain
/// returns); where an await cannot go (a synchronous lambda, a lock, a void method), no fix is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallCodeFix))]
[Shared]
public sealed class BlockingCallCodeFix : LoopSafetyCodeFix
{
    /// <inheritdoc/>
    protected override string DiagnosticId => Descriptors.BlockingCall.Id;

    /// <inheritdoc/>
    protected override string? Title(string fix, Diagnostic diagnostic, SyntaxNode node)
    {
        if (AwaitContext.Check(node, out _) == AwaitContext.Support.Impossible)
        {
            return null;
        }

        return fix switch
        {
            FixData.Await when Awaited(node) is not null => "Await it",
            FixData.WhenAll or FixData.WhenAny when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } => "Await Task." + fix,
            FixData.Sleep when node is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } && diagnostic.Properties.ContainsKey(FixData.SleepArgument) => "Await Aio.Sleep",
            FixData.AsyncTwin when node is InvocationExpressionSyntax call && NameOf(call) is not null && diagnostic.Properties.TryGetValue(FixData.Twin, out string? twin)
                => "Await " + twin,
            _ => null,
        };
    }

    /// <inheritdoc/>
    protected override void Apply(FixSession session, string fix, Diagnostic diagnostic, SyntaxNode node)
    {
        if (AwaitContext.Check(node, out SyntaxNode? function) == AwaitContext.Support.NeedsAsync)
        {
            session.MakeAsync(function!);
        }

        diagnostic.Properties.TryGetValue(FixData.Token, out string? token);
        switch (fix)
        {
            case FixData.Await:
                session.Editor.ReplaceNode(node, (current, _) => AioSyntax.Await(Awaited(current)!, node));
                break;
            case FixData.WhenAll:
            case FixData.WhenAny:
                session.Editor.ReplaceNode(node, (current, _) =>
                {
                    var call = (InvocationExpressionSyntax)current;
                    var access = (MemberAccessExpressionSyntax)call.Expression;
                    return AioSyntax.Await(call.WithExpression(access.WithName(AioSyntax.Renamed(access.Name, fix))), node);
                });
                break;
            case FixData.Sleep:
                string argument = diagnostic.Properties[FixData.SleepArgument]!;
                session.Editor.ReplaceNode(node, (current, _) => AioSyntax.Await(Sleep((InvocationExpressionSyntax)current, argument), node));
                break;
            case FixData.AsyncTwin:
                string twin = diagnostic.Properties[FixData.Twin]!;
                diagnostic.Properties.TryGetValue(FixData.TokenArgument, out string? tokenArgument);
                session.Editor.ReplaceNode(node, (current, _) =>
                {
                    var call = (InvocationExpressionSyntax)current;
                    InvocationExpressionSyntax renamed = call.WithExpression(Rename(call.Expression, twin));
                    if (tokenArgument is not null)
                    {
                        renamed = AioSyntax.AddArgument(renamed, AioSyntax.Token(token), tokenArgument == FixData.Positional ? null : tokenArgument);
                    }

                    return AioSyntax.Await(renamed, node);
                });
                break;
        }
    }

    /// <summary>The task a blocking read waits for: <c>task</c> in <c>task.Result</c>, <c>task.Wait()</c>, <c>task.GetAwaiter().GetResult()</c>.</summary>
    private static ExpressionSyntax? Awaited(SyntaxNode node) => node switch
    {
        MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result => result.Expression,
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Wait" } wait, ArgumentList.Arguments.Count: 0 } => wait.Expression,
        InvocationExpressionSyntax
        {
            Expression: MemberAccessExpressionSyntax
            {
                Name.Identifier.ValueText: "GetResult",
                Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAwaiter" } getAwaiter },
            },
        } => getAwaiter.Expression,
        _ => null,
    };

    /// <summary><c>Aio.Sleep(...)</c> for <c>Thread.Sleep(...)</c>: seconds, a TimeSpan as is, or milliseconds converted.</summary>
    private static ExpressionSyntax Sleep(InvocationExpressionSyntax threadSleep, string argument)
    {
        ExpressionSyntax delay = threadSleep.ArgumentList.Arguments[0].Expression.WithoutTrivia();
        ExpressionSyntax value = argument switch
        {
            FixData.SleepTimeSpan => delay,
            FixData.SleepMilliseconds => AioSyntax.Call(AioSyntax.Qualified("global::System.TimeSpan.FromMilliseconds"), SyntaxFactory.Argument(delay)),
            FixData.SleepInfinite => AioSyntax.Qualified("global::System.Threading.Timeout.InfiniteTimeSpan"),
            _ => SyntaxFactory.ParseExpression(argument),
        };

        return AioSyntax.Call(AioSyntax.AioMember("Sleep"), SyntaxFactory.Argument(value));
    }

    private static SimpleNameSyntax? NameOf(InvocationExpressionSyntax call) => call.Expression switch
    {
        SimpleNameSyntax name => name,
        MemberAccessExpressionSyntax access => access.Name,
        _ => null,
    };

    private static ExpressionSyntax Rename(ExpressionSyntax callee, string twin) => callee switch
    {
        SimpleNameSyntax name => AioSyntax.Renamed(name, twin),
        MemberAccessExpressionSyntax access => access.WithName(AioSyntax.Renamed(access.Name, twin)),
        _ => callee,
    };
}
