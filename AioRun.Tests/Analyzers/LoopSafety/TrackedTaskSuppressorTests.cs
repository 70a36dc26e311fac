using System.Collections.Immutable;
using AioRun.Analyzers.LoopSafety;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class TrackedTaskSuppressorTests
{
    private const string Source = TestSource.Usings + """
        static class Program
        {
            static Task WorkAsync() => Task.CompletedTask;
            static Task<int> GetAsync() => Task.FromResult(1);

            static async Task Main(AioLoop loop)
            {
                Aio.CreateTask(WorkAsync);                       // suppressed: tracked
                Aio.CreateTask(GetAsync, "get");                 // suppressed: tracked
                loop.CreateTask(ct => WorkAsync());              // suppressed: tracked
                Aio.ShutdownWaitsFor(ct => WorkAsync());         // suppressed: protected and tracked
                Aio.ShutdownWaitsFor(WorkAsync());               // suppressed: protected and tracked
                Aio.RunInExecutor(() => 1);                      // suppressed: the shutdown waits for executor work
                loop.RunInExecutor(() => { });                   // suppressed: the shutdown waits for executor work
                loop.CreateTask(WorkAsync).AsTask();             // suppressed: the task is tracked
                WorkAsync();                                     // warned: dropped
                WorkAsync().ConfigureAwait(false);               // warned: dropped
                Aio.Sleep(1.0);                                  // warned: a forgotten await
                await Task.Yield();
            }
        }
        """;

    [Fact]
    public async Task CS4014_is_suppressed_only_for_the_calls_whose_work_the_loop_tracks()
    {
        ImmutableArray<Diagnostic> diagnostics = await CompileAsync(Source, withAioRun: true);
        List<Diagnostic> cs4014 = diagnostics.Where(d => d.Id == "CS4014").ToList();

        Assert.Equal(LinesWith("// suppressed").Concat(LinesWith("// warned")).Order(), cs4014.Select(Line).Order());
        Assert.Equal(LinesWith("// suppressed"), cs4014.Where(d => d.IsSuppressed).Select(Line).Order());
    }

    /// <summary>AIO001 and the suppressor decide "tracked" with one predicate: a dropped call is either suppressed or reported, never both nor neither.</summary>
    [Fact]
    public async Task AIO001_reports_exactly_the_unawaited_calls_whose_CS4014_stays()
    {
        ImmutableArray<Diagnostic> diagnostics = await CompileAsync(Source, withAioRun: true, new UntrackedWorkAnalyzer());
        var untracked = diagnostics.Where(d => d.Id == "AIO001").Select(Line).Order().ToList();
        var warned = diagnostics.Where(d => d.Id == "CS4014" && !d.IsSuppressed).Select(Line).Order().ToList();

        Assert.Equal(LinesWith("// warned"), warned);
        Assert.Equal(warned, untracked);
    }

    [Fact]
    public async Task Without_AioRun_nothing_is_suppressed()
    {
        const string source = """
            using System.Threading.Tasks;

            static class Program
            {
                static Task WorkAsync() => Task.CompletedTask;

                static async Task Main()
                {
                    WorkAsync();
                    await Task.Yield();
                }
            }
            """;
        ImmutableArray<Diagnostic> diagnostics = await CompileAsync(source, withAioRun: false);
        Diagnostic warning = Assert.Single(diagnostics, d => d.Id == "CS4014");
        Assert.False(warning.IsSuppressed);
    }

    private static IEnumerable<int> LinesWith(string marker) =>
        Source.Split('\n').Select((text, index) => (text, line: index + 1)).Where(l => l.text.Contains(marker)).Select(l => l.line);

    private static int Line(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    private static async Task<ImmutableArray<Diagnostic>> CompileAsync(string source, bool withAioRun, params DiagnosticAnalyzer[] analyzers)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Suppressed",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            withAioRun ? References.Net10 : References.Net10Framework,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var withSuppressor = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new TrackedTaskSuppressor()).AddRange(analyzers),
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));
        return await withSuppressor.GetAllDiagnosticsAsync();
    }
}
