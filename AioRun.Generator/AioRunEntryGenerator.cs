using System.Collections.Immutable;
using System.Linq;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AioRun.Generator;

/// <summary>
/// Generates the program of an <c>[AioRunEntry]</c> method: top-level statements that line up aiorun's shutdown
/// phases around the entry (docs/entry.md), and partial declarations of the entry's types with accessors the program calls.
/// </summary>
/// <remarks>Pipeline: parse (<see cref="Parser"/>) → equatable model (<see cref="EntryModel"/>) → emit (<see cref="Emitter"/>).</remarks>
[Generator(LanguageNames.CSharp)]
public sealed class AioRunEntryGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<EntryModel?> entries = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                EntryAttribute.MetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                Parser.Parse)
            .WithTrackingName(TrackingNames.Entries);

        IncrementalValueProvider<EntryModel?> chosen = entries
            .Where(static entry => entry is not null)
            .WithTrackingName(TrackingNames.CallableEntries)
            .Collect()
            .Select(static (all, _) => Choose(all))
            .WithTrackingName(TrackingNames.ChosenEntry);

        IncrementalValueProvider<OptionValues> projectOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => EntryRules.ReadProjectOptions(provider.GlobalOptions).Values)
            .WithTrackingName(TrackingNames.ProjectOptions);

        // A global statement is a direct child of a compilation unit: the predicate decides on the node alone.
        IncrementalValueProvider<string?> topLevelStatementsFile = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => node is GlobalStatementSyntax, static (syntax, _) => syntax.Node.SyntaxTree.FilePath)
            .Collect()
            .Select(static (files, _) => files.IsEmpty ? null : System.IO.Path.GetFileName(files[0]))
            .WithTrackingName(TrackingNames.TopLevelStatements);

        IncrementalValueProvider<ProjectFacts> facts = context.CompilationProvider
            .Select(static (compilation, _) => (compilation.Options.OutputKind, compilation.Options.MainTypeName))
            .Combine(topLevelStatementsFile)
            .Select(static (pair, _) => new ProjectFacts(pair.Left.OutputKind, pair.Left.MainTypeName, pair.Right))
            .WithTrackingName(TrackingNames.ProjectFacts);

        IncrementalValueProvider<ProgramModel?> program = chosen
            .Combine(projectOptions)
            .Combine(facts)
            .Select(static (input, _) =>
                input.Left.Left is { } entry && EntryRules.CanHostProgram(input.Right)
                    ? new ProgramModel(entry, entry.Options.Or(input.Left.Right).WithoutDefaults())
                    : null)
            .WithTrackingName(TrackingNames.Program);

        // The accessors do not depend on the options: changing one re-emits the program only.
        IncrementalValueProvider<EntryTarget?> accessors = program
            .Select(static (model, _) => model?.Entry.Target)
            .WithTrackingName(TrackingNames.Accessors);

        context.RegisterSourceOutput(program, static (output, model) =>
        {
            if (model is not null)
            {
                output.AddSource(GeneratedNames.ProgramHintName, SourceText.From(Emitter.EmitProgram(model), System.Text.Encoding.UTF8));
            }
        });
        context.RegisterSourceOutput(accessors, static (output, entry) =>
        {
            if (entry is not null)
            {
                output.AddSource(GeneratedNames.AccessorsHintName, SourceText.From(Emitter.EmitAccessors(entry), System.Text.Encoding.UTF8));
            }
        });
    }

    /// <summary>The program runs one entry; with several (an error the analyzer reports) the first by name, so the output stays stable.</summary>
    private static EntryModel? Choose(ImmutableArray<EntryModel?> entries) =>
        entries.IsEmpty ? null : entries.OrderBy(static e => e!.SortKey, System.StringComparer.Ordinal).First();
}
