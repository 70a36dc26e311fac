using System.Collections.Immutable;
using AioRun.Generator;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>The generated top-level program makes the compiler ignore Main with CS7022; the suppressor hides that for [AioRunEntry] methods only.</summary>
public class SuppressorTests
{
    private const string Source = TestSource.Usings + """
        static partial class Program
        {
            [AioRunEntry]
            static async Task Main() => await Aio.Sleep(0.01);
        }

        static class Tool
        {
            static void Main()
            {
            }
        }
        """;

    [Fact]
    public async Task CS7022_is_suppressed_for_the_entry_and_kept_for_another_Main()
    {
        Compilation output = GeneratorHarness.Generate(GeneratorHarness.Compilation(Source)).Output;
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new EntryPointSuppressor());
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true);

        ImmutableArray<Diagnostic> diagnostics = await output.WithAnalyzers(analyzers, options).GetAllDiagnosticsAsync();
        Diagnostic[] ignoredMains = diagnostics.Where(d => d.Id == "CS7022").ToArray();

        Assert.Equal(2, ignoredMains.Length);
        Diagnostic entry = Assert.Single(ignoredMains, d => d.GetMessage().Contains("Program.Main()", StringComparison.Ordinal));
        Diagnostic tool = Assert.Single(ignoredMains, d => d.GetMessage().Contains("Tool.Main()", StringComparison.Ordinal));
        Assert.True(entry.IsSuppressed);
        Assert.False(tool.IsSuppressed);
        Assert.Equal(DiagnosticSeverity.Warning, tool.Severity);
    }

    [Fact]
    public void Without_the_suppressor_the_compiler_reports_CS7022_on_the_entry()
    {
        Compilation output = GeneratorHarness.Generate(GeneratorHarness.Compilation(Source)).Output;

        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS7022" && d.GetMessage().Contains("Program.Main()", StringComparison.Ordinal));
    }
}
