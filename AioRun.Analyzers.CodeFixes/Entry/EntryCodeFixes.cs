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

/// <summary>AIO100: makes the entry's type, and every type that contains it, <c>partial</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeEntryTypesPartialCodeFix))]
[Shared]
public sealed class MakeEntryTypesPartialCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AIO100");

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            // The diagnostic is on the entry method; the types to make partial are around it.
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Make the types partial", token => MakePartialAsync(context.Document, method, token), equivalenceKey: "AIO100"),
                diagnostic);
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        foreach (TypeDeclarationSyntax type in method.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                editor.SetModifiers(type, editor.Generator.GetModifiers(type).WithPartial(true));
            }
        }

        return editor.GetChangedDocument();
    }
}

/// <summary>AIO101: makes the entry method <c>static</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeEntryStaticCodeFix))]
[Shared]
public sealed class MakeEntryStaticCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AIO101");

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Make the entry static", token => MakeStaticAsync(context.Document, method, token), equivalenceKey: "AIO101"),
                diagnostic);
        }
    }

    private static async Task<Document> MakeStaticAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        editor.SetModifiers(method, editor.Generator.GetModifiers(method).WithIsStatic(true));
        return editor.GetChangedDocument();
    }
}
