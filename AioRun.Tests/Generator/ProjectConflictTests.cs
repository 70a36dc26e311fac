using AioRun.Analyzers.Entry;
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
    private const string Entry = GeneratorHarness.Usings + """
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
        CSharpCompilation compilation = GeneratorHarness.Compilation(GeneratorHarness.Usings + $$"""
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
}
