using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AioRun.Analyzers.LoopSafety;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AioRun.Analyzers.CodeFixes;

/// <summary>
/// What the loop-safety code fixes share: the fix reads what to do from <c>Diagnostic.Properties</c>, and one
/// document pass applies any number of diagnostics (a single fix is a pass over one), so that Fix All in a
/// document, project or solution applies nested fixes together and makes each function <c>async</c> once.
/// </summary>
public abstract class LoopSafetyCodeFix : CodeFixProvider
{
    /// <summary>The rule this provider fixes.</summary>
    protected abstract string DiagnosticId { get; }

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticId);

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(async (context, document, diagnostics) => await ApplyAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixData.Fix, out string? fix) || fix is null || fix == FixData.None)
            {
                continue;
            }

            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            string? title = Title(fix, diagnostic, node);
            if (title is null)
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => ApplyAsync(document, ImmutableArray.Create(diagnostic), ct), equivalenceKey: DiagnosticId),
                diagnostic);
        }
    }

    /// <summary>The title of the fix, or <see langword="null"/> if it does not apply to <paramref name="node"/>.</summary>
    protected abstract string? Title(string fix, Diagnostic diagnostic, SyntaxNode node);

    /// <summary>Registers the rewrite of one diagnostic's node on the session's editor.</summary>
    protected abstract void Apply(FixSession session, string fix, Diagnostic diagnostic, SyntaxNode node);

    private async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var session = new FixSession(editor);

        // Inner nodes first: an outer rewrite then sees them already rewritten.
        foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Length).ThenByDescending(d => d.Location.SourceSpan.Start))
        {
            if (!diagnostic.Properties.TryGetValue(FixData.Fix, out string? fix) || fix is null || fix == FixData.None)
            {
                continue;
            }

            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (Title(fix, diagnostic, node) is not null)
            {
                Apply(session, fix, diagnostic, node);
            }
        }

        session.Finish();
        Document changed = editor.GetChangedDocument();
        changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One pass of fixes over a document: the editor, and the functions to make <c>async</c> at the end.</summary>
public sealed class FixSession
{
    private readonly List<SyntaxNode> _toMakeAsync = new();

    internal FixSession(DocumentEditor editor) => Editor = editor;

    /// <summary>The editor of the document.</summary>
    public DocumentEditor Editor { get; }

    /// <summary>Asks for <paramref name="function"/> to become <c>async</c> (once, after every other rewrite).</summary>
    public void MakeAsync(SyntaxNode function)
    {
        if (!_toMakeAsync.Contains(function))
        {
            _toMakeAsync.Add(function);
        }
    }

    internal void Finish()
    {
        // Inner functions first, like the other rewrites.
        foreach (SyntaxNode function in _toMakeAsync.OrderBy(f => f.Span.Length))
        {
            Editor.ReplaceNode(function, (current, _) => AwaitContext.MakeAsync(current));
        }
    }
}
