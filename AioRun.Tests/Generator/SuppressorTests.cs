using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>The generated top-level program makes the compiler ignore Main with CS7022; the suppressor hides that for [AioRunEntry] methods only.</summary>
public class SuppressorTests
{
    private const string Source = """
        static partial class Program
        {
            [AioRunEntry]
            static async Task {|#0:Main|}() => await Aio.Sleep(0.01);
        }

        static class Tool
        {
            static void {|#1:Main|}()
            {
            }
        }
        """;

    [Fact]
    public Task CS7022_is_suppressed_for_the_entry_and_kept_for_another_Main()
    {
        var test = new GeneratorTest(Source) { CompareSuppressedDiagnostics = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerWarning("CS7022").WithLocation(0).WithArguments("Program.Main()").WithIsSuppressed(true));
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerWarning("CS7022").WithLocation(1).WithArguments("Tool.Main()").WithIsSuppressed(false));

        return test.RunAsync();
    }

    [Fact]
    public Task Without_the_suppressor_the_compiler_reports_CS7022_on_the_entry()
    {
        var test = new GeneratorTest(Source) { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.Analyzers.Clear();
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerWarning("CS7022").WithLocation(0).WithArguments("Program.Main()"));
        test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerWarning("CS7022").WithLocation(1).WithArguments("Tool.Main()"));

        return test.RunAsync();
    }
}
