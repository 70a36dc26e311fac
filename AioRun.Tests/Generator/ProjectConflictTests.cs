using AioRun.Analyzers.Entry;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Projects in which no program can be generated: the generator emits nothing (and does not throw), and the build says
/// why with the AioRun diagnostic, not with the compiler error the generated program would have caused.
/// </summary>
public class ProjectConflictTests
{
    private const string Entry = TestSource.Usings + """
        namespace App;

        static partial class Program
        {
            [AioRunEntry]
            static Task Main() => Task.CompletedTask;
        }
        """;

    [Fact]
    public void A_startup_object_gets_AIO113_instead_of_CS8804()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Entry);
        compilation = compilation.WithOptions(compilation.Options.WithMainTypeName("App.Program"));

        string[] ids = GenerateNothingAndReport(compilation);

        Assert.Contains("AIO113", ids);
        Assert.DoesNotContain("CS8804", ids);
    }

    [Fact]
    public void The_same_entry_without_a_startup_object_gets_its_program()
    {
        GeneratorHarness.Generated generated = GeneratorHarness.Generate(GeneratorHarness.Compilation(Entry));

        Assert.Contains(AioRun.Generator.Emitter.ProgramHintName, generated.Sources.Keys);
        GeneratorHarness.AssertClean(generated.Output);
    }

    [Fact]
    public void Top_level_statements_get_AIO108_instead_of_CS8802()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { Entry, "System.Console.WriteLine(\"hello\");" });

        string[] ids = GenerateNothingAndReport(compilation);

        Assert.Contains("AIO108", ids);
        Assert.DoesNotContain("CS8802", ids);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Top_level_statements_from_another_generator_get_AIO108(bool postInitialization)
    {
        // A regular output of another generator is invisible to AioRun's (generators run side by side): both emit
        // top-level statements, the compiler reports CS8802, and AIO108 says which file clashes with the entry. A
        // post-initialization output is seen by every generator: AioRun's then emits nothing, and AIO108 is all.
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new ISourceGenerator[] { new AioRun.Generator.AioRunEntryGenerator().AsSourceGenerator(), new TopLevelGenerator(postInitialization).AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(Entry), out Compilation output, out _);

        Diagnostic[] problems = GeneratorHarness.Diagnostics(output, new EntryAnalyzer()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();

        Diagnostic aio108 = Assert.Single(problems, d => d.Id == "AIO108");
        Assert.Contains("'Other.g.cs' already has top-level statements", aio108.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(postInitialization ? new[] { "AIO108" } : new[] { "AIO108", "CS8802" }, problems.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void A_library_gets_AIO107()
    {
        string[] ids = GenerateNothingAndReport(GeneratorHarness.Compilation(Entry, OutputKind.DynamicallyLinkedLibrary));

        Assert.Equal(new[] { "AIO107" }, ids);
    }

    [Theory]
    [InlineData("static void Host() { [AioRunEntry] static Task Main() => Task.CompletedTask; _ = Main(); }")]
    [InlineData("static void Host() { var main = [AioRunEntry] static () => Task.CompletedTask; }")]
    public void An_entry_on_a_local_function_or_lambda_gets_AIO105_and_no_program(string member)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(TestSource.Usings + $$"""
            static partial class Program
            {
                {{member}}
                static void Main() { }
            }
            """);

        string[] ids = GenerateNothingAndReport(compilation);

        Assert.Equal(new[] { "AIO105" }, ids);
    }

    /// <summary>Runs the generator and the entry analyzer; asserts no source was generated; returns the ids of the warnings and errors.</summary>
    private static string[] GenerateNothingAndReport(CSharpCompilation compilation)
    {
        GeneratorHarness.Generated generated = GeneratorHarness.Generate(compilation);
        Assert.Empty(generated.Sources);
        return GeneratorHarness.Diagnostics(generated.Output, new EntryAnalyzer())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.Id)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Another generator that emits top-level statements, as a post-initialization or a regular output.</summary>
    private sealed class TopLevelGenerator(bool postInitialization) : IIncrementalGenerator
    {
        private const string Source = "// <auto-generated/>\nSystem.Console.WriteLine(1);\n";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            if (postInitialization)
            {
                context.RegisterPostInitializationOutput(static output => output.AddSource("Other.g.cs", Source));
            }
            else
            {
                context.RegisterSourceOutput(context.CompilationProvider, static (output, _) => output.AddSource("Other.g.cs", Source));
            }
        }
    }
}
