using System.Composition;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>
/// AIO001: <c>Task.Run(() =&gt; sync)</c> / <c>StartNew</c> → <c>Aio.RunInExecutor(...)</c>; <c>Task.Run(async () =&gt; ...)</c>
/// → <c>Aio.CreateTask(...)</c>; a dropped <c>WorkAsync(x)</c> → <c>Aio.CreateTask(() =&gt; WorkAsync(x))</c>;
/// <c>ThreadPool.QueueUserWorkItem(_ =&gt; work)</c> and <c>new Thread(work).Start()</c> → <c>_ = Aio.RunInExecutor(...)</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UntrackedWorkCodeFix))]
[Shared]
public sealed class UntrackedWorkCodeFix : LoopSafetyCodeFix
{
    /// <inheritdoc/>
    protected override string DiagnosticId => Descriptors.UntrackedWork.Id;

    /// <inheritdoc/>
    protected override string? Title(string fix, Diagnostic diagnostic, SyntaxNode node) => fix switch
    {
        FixData.RunInExecutor when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } => "Run it with Aio.RunInExecutor",
        FixData.CreateTask when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } => "Run it as a task on the loop (Aio.CreateTask)",
        FixData.CreateTaskFromCall when node is InvocationExpressionSyntax => "Track it with Aio.CreateTask",
        FixData.RunInExecutorFromCallback when node is InvocationExpressionSyntax { Parent: ExpressionStatementSyntax } => "Run it with Aio.RunInExecutor",
        FixData.RunInExecutorFromThread when node is ObjectCreationExpressionSyntax { Parent.Parent: InvocationExpressionSyntax { Parent: ExpressionStatementSyntax } } => "Run it with Aio.RunInExecutor",
        _ => null,
    };

    /// <inheritdoc/>
    protected override void Apply(FixSession session, string fix, Diagnostic diagnostic, SyntaxNode node)
    {
        switch (fix)
        {
            case FixData.RunInExecutor:
                // RunInExecutor's task is not one the CS4014 suppressor covers: as a statement it is discarded.
                bool statement = node.Parent is ExpressionStatementSyntax;
                session.Editor.ReplaceNode(node, (current, _) =>
                {
                    ExpressionSyntax run = Retarget((InvocationExpressionSyntax)current, "RunInExecutor");
                    return statement ? Discard(run.WithoutTrivia()).WithTriviaFrom(current) : run;
                });
                break;
            case FixData.CreateTask:
                bool keepsAioTask = node.Parent is AwaitExpressionSyntax or ExpressionStatementSyntax
                    || node.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } };
                session.Editor.ReplaceNode(node, (current, _) =>
                {
                    ExpressionSyntax created = Retarget((InvocationExpressionSyntax)current, "CreateTask");
                    if (keepsAioTask)
                    {
                        return created;
                    }

                    // Task.Run gave a Task; the value is used as one.
                    return AioSyntax.Call(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, created.WithoutTrivia(), SyntaxFactory.IdentifierName("AsTask")))
                        .WithTriviaFrom(current);
                });
                break;
            case FixData.CreateTaskFromCall:
                bool methodGroup = diagnostic.Properties.TryGetValue(FixData.MethodGroup, out string? group) && group == "true";
                bool valueTask = diagnostic.Properties.TryGetValue(FixData.ValueTask, out string? value) && value == "true";
                session.Editor.ReplaceNode(node, (current, _) => CreateTaskFromCall((ExpressionSyntax)current, methodGroup, valueTask));
                break;
            case FixData.RunInExecutorFromCallback:
                session.Editor.ReplaceNode(node, (current, _) => RunInExecutorFromCallback((InvocationExpressionSyntax)current));
                break;
            case FixData.RunInExecutorFromThread:
                var start = (InvocationExpressionSyntax)node.Parent!.Parent!;
                session.Editor.ReplaceNode(start, (current, _) => RunInExecutorFromThread((InvocationExpressionSyntax)current));
                break;
        }
    }

    /// <summary><c>Task.Run&lt;T&gt;(work)</c> → <c>Aio.Method&lt;T&gt;(work)</c>.</summary>
    private static ExpressionSyntax Retarget(InvocationExpressionSyntax call, string method)
    {
        var access = (MemberAccessExpressionSyntax)call.Expression;
        ExpressionSyntax target = AioSyntax.AioMember(method);
        if (access.Name is GenericNameSyntax generic)
        {
            target = SyntaxFactory.ParseExpression("global::AioRun.Aio." + method + generic.TypeArgumentList.ToString())
                .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation, Microsoft.CodeAnalysis.Simplification.Simplifier.AddImportsAnnotation);
        }

        return call.WithExpression(target.WithTriviaFrom(access));
    }

    /// <summary><c>WorkAsync(x).ConfigureAwait(false)</c> → <c>Aio.CreateTask(() =&gt; WorkAsync(x))</c> (or the method group <c>Work</c>).</summary>
    private static ExpressionSyntax CreateTaskFromCall(ExpressionSyntax dropped, bool methodGroup, bool valueTask)
    {
        // Nobody awaits a dropped task, so its ConfigureAwait does nothing: leave it out.
        ExpressionSyntax call = dropped;
        while (call is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } configure })
        {
            call = configure.Expression;
        }

        ExpressionSyntax work;
        if (methodGroup && call is InvocationExpressionSyntax invocation)
        {
            work = invocation.Expression.WithoutTrivia();
        }
        else
        {
            ExpressionSyntax body = call.WithoutTrivia();
            if (valueTask)
            {
                body = AioSyntax.Call(SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, body, SyntaxFactory.IdentifierName("AsTask")));
            }

            work = SyntaxFactory.ParenthesizedLambdaExpression(SyntaxFactory.ParameterList(), body)
                .WithArrowToken(SyntaxFactory.Token(SyntaxKind.EqualsGreaterThanToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space));
        }

        return AioSyntax.Call(AioSyntax.AioMember("CreateTask"), SyntaxFactory.Argument(work)).WithTriviaFrom(dropped);
    }

    /// <summary><c>ThreadPool.QueueUserWorkItem(state =&gt; work)</c> → <c>_ = Aio.RunInExecutor(() =&gt; work)</c>.</summary>
    private static ExpressionSyntax RunInExecutorFromCallback(InvocationExpressionSyntax call)
    {
        ExpressionSyntax callback = call.ArgumentList.Arguments[0].Expression;
        ExpressionSyntax action = callback switch
        {
            SimpleLambdaExpressionSyntax simple => SyntaxFactory.ParenthesizedLambdaExpression(SyntaxFactory.ParameterList(), simple.Body)
                .WithArrowToken(simple.ArrowToken)
                .WithTriviaFrom(simple),
            ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.WithParameterList(SyntaxFactory.ParameterList()),
            AnonymousMethodExpressionSyntax anonymous => anonymous.WithParameterList(null),
            _ => callback,
        };

        InvocationExpressionSyntax run = AioSyntax.Call(AioSyntax.AioMember("RunInExecutor"), SyntaxFactory.Argument(action));
        return Discard(run).WithTriviaFrom(call);
    }

    /// <summary><c>new Thread(work).Start()</c> → <c>_ = Aio.RunInExecutor(work)</c>.</summary>
    private static ExpressionSyntax RunInExecutorFromThread(InvocationExpressionSyntax start)
    {
        var creation = (ObjectCreationExpressionSyntax)((MemberAccessExpressionSyntax)start.Expression).Expression;
        ExpressionSyntax work = creation.ArgumentList!.Arguments[0].Expression;
        InvocationExpressionSyntax run = AioSyntax.Call(AioSyntax.AioMember("RunInExecutor"), SyntaxFactory.Argument(work));
        return Discard(run).WithTriviaFrom(start);
    }

    private static ExpressionSyntax Discard(ExpressionSyntax value) =>
        SyntaxFactory.AssignmentExpression(
            SyntaxKind.SimpleAssignmentExpression,
            SyntaxFactory.IdentifierName("_"),
            SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
            value);
}
