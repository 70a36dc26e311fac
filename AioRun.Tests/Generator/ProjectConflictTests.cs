using AioRun.Analyzers.Entry;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Projects in which no program can be generated: the generator emits nothing (and does not throw), and the build says
/// why with the AioRun diagnostic, not with the compiler error the generated program would have caused.
/// </summary>
public class ProjectConflictTests
{
    /// <summary>An entry; the markup marks where the AioRun diagnostics are reported.</summary>
    private const string Entry = """
        namespace App;

        static partial class Program
        {
            [{|#0:AioRunEntry|}]
            static Task Main() => Task.CompletedTask;
        }
        """;

    [Fact]
    public Task A_startup_object_gets_AIO113_instead_of_CS8804()
    {
        var test = new GeneratorTest(Entry);
        test.SolutionTransforms.Add((solution, project) =>
            solution.WithProjectCompilationOptions(project, solution.GetProject(project)!.CompilationOptions!.WithMainTypeName("App.Program")));

        return GeneratesNothingAndReports(test, "AIO113");
    }

    [Fact]
    public void The_same_entry_without_a_startup_object_gets_its_program()
    {
        GeneratorHarness.Generated generated = GeneratorHarness.Generate(GeneratorHarness.Compilation(PlainEntry));

        Assert.Contains(AioRun.Generator.Emitter.ProgramHintName, generated.Sources.Keys);
        GeneratorHarness.AssertClean(generated.Output);
    }

    [Fact]
    public Task Top_level_statements_get_AIO108_instead_of_CS8802()
    {
        var test = new GeneratorTest(Entry);
        test.TestState.Sources.Add("System.Console.WriteLine(\"hello\");");

        return GeneratesNothingAndReports(test, "AIO108");
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
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(PlainEntry), out Compilation output, out _);

        Diagnostic[] problems = GeneratorHarness.Diagnostics(output, new EntryAnalyzer()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();

        Diagnostic aio108 = Assert.Single(problems, d => d.Id == "AIO108");
        Assert.Contains("'Other.g.cs' already has top-level statements", aio108.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(postInitialization ? new[] { "AIO108" } : new[] { "AIO108", "CS8802" }, problems.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public Task A_library_gets_AIO107()
    {
        var test = new GeneratorTest(Entry);
        test.TestState.OutputKind = OutputKind.DynamicallyLinkedLibrary;

        return GeneratesNothingAndReports(test, "AIO107");
    }

    [Theory]
    [InlineData("static void Host() { [{|#0:AioRunEntry|}] static Task Main() => Task.CompletedTask; _ = Main(); }")]
    [InlineData("static void Host() { var main = [{|#0:AioRunEntry|}] static () => Task.CompletedTask; }")]
    public Task An_entry_on_a_local_function_or_lambda_gets_AIO105_and_no_program(string member) =>
        GeneratesNothingAndReports(
            new GeneratorTest($$"""
                static partial class Program
                {
                    {{member}}
                    static void Main() { }
                }
                """),
            "AIO105");

    /// <summary>The entry as the plain driver compiles it.</summary>
    private static string PlainEntry => TestSource.Usings + TestSource.WithoutMarkup(Entry);

    /// <summary>
    /// Runs the generator beside the entry analyzer under the testing framework: no source may be generated (none is
    /// expected), and the one warning or error of the compilation is <paramref name="id"/>, at the markup <c>#0</c>.
    /// </summary>
    private static Task GeneratesNothingAndReports(GeneratorTest test, string id)
    {
        test.ExpectedDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Error).WithLocation(0));
        return test.RunAsync();
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
