using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// The generator runs twice on the same driver: after an unrelated edit every step is cached; after an option changes
/// only what depends on it runs again. No step output holds a symbol, a syntax node or a compilation.
/// </summary>
public class IncrementalTests
{
    private const string Entry = TestSource.Usings + """
        namespace App;

        static partial class Program
        {
            [AioRunEntry(ShutdownTimeoutSeconds = 5)]
            static async Task Main() => await Aio.Sleep(1);
        }
        """;

    private const string Unrelated = """
        namespace App;

        static class Helpers
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    [Fact]
    public void After_an_unrelated_edit_every_step_is_cached_or_unchanged()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();

        CSharpCompilation edited = ReplaceTree(compilation, 1, Unrelated.Replace("x * 2", "x + x", StringComparison.Ordinal));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        GeneratorHarness.AssertEveryStepOutput(second, GeneratorHarness.StepNames, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        GeneratorHarness.AssertEverySourceOutputCached(second);
    }

    [Fact]
    public void Changing_an_attribute_option_reruns_the_entry_and_the_program_but_not_the_accessors_or_project_options()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();

        CSharpCompilation edited = ReplaceTree(compilation, 0, Entry.Replace("ShutdownTimeoutSeconds = 5", "ShutdownTimeoutSeconds = 6", StringComparison.Ordinal));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        GeneratorHarness.AssertEveryStepOutput(second, new[] { TrackingNames.Entries, TrackingNames.Program }, IncrementalStepRunReason.Modified);
        GeneratorHarness.AssertEveryStepOutput(second, new[] { TrackingNames.ProjectOptions, TrackingNames.ProjectFacts, TrackingNames.Accessors }, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Contains("FromSeconds(6)", second.GeneratedSources.Single(s => s.HintName == Emitter.ProgramHintName).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_build_property_reruns_the_project_options_and_the_program_only()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();

        driver = driver.WithUpdatedAnalyzerConfigOptions(new GeneratorHarness.BuildProperties(new Dictionary<string, string> { ["AioRunExecutorWorkers"] = "3" }));
        GeneratorRunResult second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        GeneratorHarness.AssertEveryStepOutput(second, new[] { TrackingNames.ProjectOptions, TrackingNames.Program }, IncrementalStepRunReason.Modified);
        GeneratorHarness.AssertEveryStepOutput(second, new[] { TrackingNames.Entries, TrackingNames.ChosenEntry, TrackingNames.Accessors }, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Contains("ExecutorWorkers = 3,", second.GeneratedSources.Single(s => s.HintName == Emitter.ProgramHintName).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_step_output_holds_a_symbol_a_syntax_node_or_a_compilation()
    {
        (GeneratorDriver driver, _) = RunOnce();

        GeneratorHarness.AssertNoStepOutputHoldsARoslynObject(driver.GetRunResult().Results.Single());
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) RunOnce()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { Entry, Unrelated });
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
        return (driver, compilation);
    }

    private static CSharpCompilation ReplaceTree(CSharpCompilation compilation, int index, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees[index];
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, old.FilePath));
    }

}
