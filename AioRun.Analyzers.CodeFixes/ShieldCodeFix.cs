using System.Composition;
using System.Globalization;
using System.Linq;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>
/// AIO002: <c>work.WaitAsync(token)</c> → <c>Aio.ShutdownWaitsFor(work)</c> (a timeout stays as <c>.WaitAsync(timeout)</c>);
/// <c>await Task.WhenAny(work, Task.Delay(Timeout.Infinite, token));</c> → <c>await Aio.ShutdownWaitsFor(work);</c>.
/// The caller is then cancelled by its own task's token, and the shutdown waits for the work.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ShieldCodeFix))]
[Shared]
public sealed class ShieldCodeFix : LoopSafetyCodeFix
{
    /// <inheritdoc/>
    protected override string DiagnosticId => Descriptors.ShieldShutdownIgnores.Id;

    /// <inheritdoc/>
    protected override string? Title(string fix, Diagnostic diagnostic, SyntaxNode node) => fix switch
    {
        FixData.ShieldWaitAsync when node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } && Index(diagnostic, FixData.DropArgument) >= 0
            => "Protect the work with Aio.ShutdownWaitsFor",
        FixData.ShieldWhenAny when node is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 2 } && Index(diagnostic, FixData.DelayArgument) is 0 or 1
            => "Protect the work with Aio.ShutdownWaitsFor",
        _ => null,
    };

    /// <inheritdoc/>
    protected override void Apply(FixSession session, string fix, Diagnostic diagnostic, SyntaxNode node)
    {
        if (fix == FixData.ShieldWaitAsync)
        {
            int drop = Index(diagnostic, FixData.DropArgument);
            session.Editor.ReplaceNode(node, (current, _) => FromWaitAsync((InvocationExpressionSyntax)current, drop));
        }
        else
        {
            int delay = Index(diagnostic, FixData.DelayArgument);
            session.Editor.ReplaceNode(node, (current, _) =>
            {
                var whenAny = (InvocationExpressionSyntax)current;
                ExpressionSyntax work = whenAny.ArgumentList.Arguments[1 - delay].Expression;
                return AioSyntax.Call(AioSyntax.AioMember("ShutdownWaitsFor"), SyntaxFactory.Argument(work.WithoutTrivia())).WithTriviaFrom(whenAny);
            });
        }
    }

    private static ExpressionSyntax FromWaitAsync(InvocationExpressionSyntax waitAsync, int drop)
    {
        var access = (MemberAccessExpressionSyntax)waitAsync.Expression;
        ExpressionSyntax protectedWork = AioSyntax.Call(AioSyntax.AioMember("ShutdownWaitsFor"), SyntaxFactory.Argument(access.Expression.WithoutTrivia()));
        ArgumentSyntax[] rest = waitAsync.ArgumentList.Arguments.Where((_, i) => i != drop).ToArray();
        if (rest.Length == 0)
        {
            return protectedWork.WithTriviaFrom(waitAsync);
        }

        // A timeout still applies: ShutdownWaitsFor(work).WaitAsync(timeout).
        return AioSyntax.Call(access.WithExpression(protectedWork), rest).WithTriviaFrom(waitAsync);
    }

    private static int Index(Diagnostic diagnostic, string key) =>
        diagnostic.Properties.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) ? index : -1;
}
