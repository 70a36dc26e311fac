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
/// phases (SPEC §4) around the entry, and partial declarations of the entry's types with accessors the program calls.
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
                EntryShape.AttributeMetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                Parser.Parse)
            .WithTrackingName(TrackingNames.Entries);

        IncrementalValueProvider<EntryModel?> chosen = entries
            .Where(static entry => entry is not null)
            .WithTrackingName(TrackingNames.CallableEntries)
            .Collect()
            .Select(static (all, _) => Choose(all))
            .WithTrackingName(TrackingNames.ChosenEntry);

        IncrementalValueProvider<ProjectOptions> projectOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => ProjectOptions.Parse(ProjectOptionTexts.Read(provider.GlobalOptions)))
            .WithTrackingName(TrackingNames.ProjectOptions);

        // A global statement is a direct child of a compilation unit: the predicate decides on the node alone.
        IncrementalValueProvider<bool> hasTopLevelStatements = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => node is GlobalStatementSyntax, static (_, _) => true)
            .Collect()
            .Select(static (found, _) => !found.IsEmpty)
            .WithTrackingName(TrackingNames.TopLevelStatements);

        IncrementalValueProvider<ProgramFacts> facts = context.CompilationProvider
            .Select(static (compilation, _) => (EntryShape.IsExecutable(compilation.Options.OutputKind), compilation.Options.MainTypeName is not null))
            .Combine(hasTopLevelStatements)
            .Select(static (pair, _) => new ProgramFacts(pair.Left.Item1, pair.Left.Item2, pair.Right))
            .WithTrackingName(TrackingNames.ProgramFacts);

        IncrementalValueProvider<ProgramModel?> program = chosen
            .Combine(projectOptions)
            .Combine(facts)
            .Select(static (input, _) =>
                input.Left.Left is { } entry && input.Right.CanHostProgram
                    ? new ProgramModel(entry, ProgramOptions.Merge(entry.Options, input.Left.Right))
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
                output.AddSource(Emitter.ProgramHintName, SourceText.From(Emitter.EmitProgram(model), System.Text.Encoding.UTF8));
            }
        });
        context.RegisterSourceOutput(accessors, static (output, entry) =>
        {
            if (entry is not null)
            {
                output.AddSource(Emitter.AccessorsHintName, SourceText.From(Emitter.EmitAccessors(entry), System.Text.Encoding.UTF8));
            }
        });
    }

    /// <summary>The program runs one entry; with several (an error the analyzer reports) the first by name, so the output stays stable.</summary>
    private static EntryModel? Choose(ImmutableArray<EntryModel?> entries) =>
        entries.IsEmpty ? null : entries.OrderBy(static e => e!.SortKey, System.StringComparer.Ordinal).First();
}
