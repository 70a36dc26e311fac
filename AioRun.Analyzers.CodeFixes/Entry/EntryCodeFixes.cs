using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AioRun.Analyzers.CodeFixes.Entry;

/// <summary>
/// A code fix for an entry diagnostic reported on the <c>[AioRunEntry]</c> method: it edits the method or the types
/// around it.
/// </summary>
public abstract class EntryMethodCodeFix : CodeFixProvider
{
    private readonly string _id;
    private readonly string _title;

    private protected EntryMethodCodeFix(string id, string title)
    {
        _id = id;
        _title = title;
        FixableDiagnosticIds = ImmutableArray.Create(id);
    }

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            // The diagnostic is on the entry method.
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(_title, token => FixAsync(context.Document, method, token), equivalenceKey: _id),
                diagnostic);
        }
    }

    /// <summary>Makes the fix's edits.</summary>
    /// <param name="editor">The document's editor.</param>
    /// <param name="method">The entry method.</param>
    private protected abstract void Edit(DocumentEditor editor, MethodDeclarationSyntax method);

    private async Task<Document> FixAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        Edit(editor, method);
        return editor.GetChangedDocument();
    }
}

/// <summary>AIO100: makes the entry's type, and every type that contains it, <c>partial</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeEntryTypesPartialCodeFix))]
[Shared]
public sealed class MakeEntryTypesPartialCodeFix : EntryMethodCodeFix
{
    /// <summary>Creates the fix.</summary>
    public MakeEntryTypesPartialCodeFix()
        : base(Descriptors.EntryTypeNotPartial.Id, "Make the types partial")
    {
    }

    private protected override void Edit(DocumentEditor editor, MethodDeclarationSyntax method)
    {
        foreach (TypeDeclarationSyntax type in method.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                editor.SetModifiers(type, editor.Generator.GetModifiers(type).WithPartial(true));
            }
        }
    }
}

/// <summary>AIO101: makes the entry method <c>static</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeEntryStaticCodeFix))]
[Shared]
public sealed class MakeEntryStaticCodeFix : EntryMethodCodeFix
{
    /// <summary>Creates the fix.</summary>
    public MakeEntryStaticCodeFix()
        : base(Descriptors.EntryNotStatic.Id, "Make the entry static")
    {
    }

    private protected override void Edit(DocumentEditor editor, MethodDeclarationSyntax method) =>
        editor.SetModifiers(method, editor.Generator.GetModifiers(method).WithIsStatic(true));
}
