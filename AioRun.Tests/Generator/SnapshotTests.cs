using AioRun.Tests.Analyzers.Entry;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Xunit.Sdk;

namespace AioRun.Tests.Generator;

/// <summary>
/// The generated program and accessors for every entry shape and option combination, pinned by snapshot files in
/// <c>Snapshots/</c> and compared by the testing framework (<see cref="GeneratorTest"/>). Each generated program must
/// also compile without a warning (CS7022 suppressed), and the generator must cache every step when it runs again on
/// the same input.
/// </summary>
public class SnapshotTests
{
    private static readonly Dictionary<string, (string Source, Dictionary<string, string> Properties)> Cases = new()
    {
        ["Task_global_namespace"] = ("""
            static partial class Program
            {
                [AioRunEntry]
                static async Task Main() => await Aio.Sleep(0.01);
            }
            """, new()),
        ["TaskOfInt_args_block_namespace"] = ("""
            namespace Company.Service
            {
                public partial class Program
                {
                    [AioRunEntry]
                    public static Task<int> Main(string[] args) => Task.FromResult(args.Length);
                }
            }
            """, new()),
        ["ValueTask_token_file_scoped_namespace"] = ("""
            namespace Company.Service;

            internal static partial class Entry
            {
                [AioRunEntry]
                private static async ValueTask Run(CancellationToken cancellationToken) => await Aio.Sleep(1, cancellationToken);
            }
            """, new()),
        ["ValueTaskOfInt_every_parameter_in_any_order"] = ("""
            namespace App;

            partial class Program
            {
                [AioRunEntry]
                static ValueTask<int> Main(AioLoop loop, string[] args, CancellationToken token) => new(args.Length);
            }
            """, new()),
        ["Void_loop"] = ("""
            static partial class Program
            {
                [AioRunEntry]
                static void Main(AioLoop loop) => loop.CreateTask(() => Aio.Sleep(1), "worker");
            }
            """, new()),
        ["Void_no_parameters"] = ("""
            static partial class Program
            {
                [AioRunEntry]
                static void Main()
                {
                }
            }
            """, new()),
        ["Nested_private_types"] = ("""
            namespace App;

            public partial class Outer
            {
                private partial struct Middle
                {
                    internal partial record Inner
                    {
                        [AioRunEntry(ShutdownCallback = nameof(Done))]
                        private static Task Main(string[] args) => Task.CompletedTask;

                        private static void Done()
                        {
                        }
                    }
                }
            }
            """, new()),
        ["Every_option_on_the_attribute"] = ("""
            namespace App;

            public sealed class FastLoop : AioLoop
            {
            }

            static partial class Program
            {
                [AioRunEntry(StopOnUnhandledErrors = true, ShutdownTimeoutSeconds = 2.5, ExecutorWorkers = 4, InlineSocketCompletions = true,
                    ShutdownCallback = nameof(OnShutdown), ShutdownHandler = nameof(OnSignal), LoopType = typeof(FastLoop))]
                static async Task Main() => await Aio.Sleep(1);

                static async Task OnShutdown(AioLoop loop) => await Task.Yield();

                static void OnSignal(AioLoop loop) => loop.Stop();
            }
            """, new()),
        ["Options_from_the_project"] = ("""
            static partial class Program
            {
                [AioRunEntry]
                static Task Main() => Task.CompletedTask;
            }
            """, new() { ["AioRunStopOnUnhandled"] = "true", ["AioRunShutdownTimeout"] = "10", ["AioRunExecutorWorkers"] = "2", ["AioRunInlineSocketCompletions"] = "true" }),
        ["The_attribute_wins_over_the_project"] = ("""
            static partial class Program
            {
                [AioRunEntry(StopOnUnhandledErrors = false, ShutdownTimeoutSeconds = 60, ExecutorWorkers = 0)]
                static Task Main() => Task.CompletedTask;
            }
            """, new() { ["AioRunStopOnUnhandled"] = "true", ["AioRunShutdownTimeout"] = "10", ["AioRunExecutorWorkers"] = "2" }),
        ["Infinite_timeout_and_sync_callback"] = ("""
            static partial class Program
            {
                [AioRunEntry(ShutdownTimeoutSeconds = double.PositiveInfinity, ShutdownCallback = nameof(OnShutdown))]
                static Task Main() => Task.CompletedTask;

                static void OnShutdown(AioLoop loop)
                {
                }
            }
            """, new()),
        ["ValueTask_callback_without_loop"] = ("""
            static partial class Program
            {
                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static Task Main() => Task.CompletedTask;

                static ValueTask OnShutdown() => default;
            }
            """, new()),
        ["Invalid_options_are_left_out"] = ("""
            static partial class Program
            {
                [{|#0:AioRunEntry({|#1:ShutdownTimeoutSeconds = -1|}, {|#2:ExecutorWorkers = -3|}, {|#3:ShutdownHandler = "Missing"|}, {|#4:LoopType = typeof(string)|})|}]
                static Task Main() => Task.CompletedTask;
            }
            """, new() { ["AioRunShutdownTimeout"] = "soon", ["AioRunExecutorWorkers"] = "many", ["AioRunStopOnUnhandled"] = "yes" }),
    };

    /// <summary>
    /// What the entry analyzer reports in a case, at the markup <c>{|#n:...|}</c> of its source: the invalid options are
    /// the analyzer's to report, and the generated program adds no compiler error. A case not listed compiles cleanly.
    /// </summary>
    private static readonly Dictionary<string, DiagnosticResult[]> Reported = new()
    {
        ["Invalid_options_are_left_out"] = new[]
        {
            EntryVerify.Diagnostic("AIO112", 0, "AioRunExecutorWorkers is 'many' in the project (MSBuild property); it must be 0 (no bound) or more"),
            EntryVerify.Diagnostic("AIO112", 0, "AioRunShutdownTimeout is 'soon' in the project (MSBuild property); it must be a number of seconds, zero or more (Infinity for no timeout)"),
            EntryVerify.Diagnostic("AIO112", 0, "AioRunStopOnUnhandled is 'yes' in the project (MSBuild property); it must be true or false"),
            EntryVerify.Diagnostic("AIO112", 1, "ShutdownTimeoutSeconds is -1 in [AioRunEntry]; it must be a number of seconds, zero or more (Infinity for no timeout)"),
            EntryVerify.Diagnostic("AIO112", 2, "ExecutorWorkers is -3 in [AioRunEntry]; it must be 0 (no bound) or more"),
            EntryVerify.Diagnostic("AIO109", 3, "ShutdownHandler = \"Missing\": 'Program' has no member of that name"),
            EntryVerify.Diagnostic("AIO111", 4, "LoopType 'string' cannot be used: it does not derive from AioRun.AioLoop"),
        },
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task The_generated_program_matches_its_snapshot_and_compiles_cleanly(string name) => RunCaseAsync(name, net8: false);

    /// <summary>
    /// The package targets net8.0, so a .NET 8 SDK project with its default C# 12 must get the same program and
    /// compile it cleanly too: no newer language feature, no API that net8.0 lacks.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task The_generated_program_is_the_same_and_compiles_cleanly_for_net8_with_its_default_CSharp_12(string name) =>
        RunCaseAsync(name, net8: true, test => test.SolutionTransforms.Add((solution, projectId) =>
        {
            Project project = solution.GetProject(projectId)!;
            Assert.Equal(LanguageVersion.CSharp12, ((CSharpParseOptions)project.ParseOptions!).LanguageVersion);
            Compilation compilation = project.GetCompilationAsync().GetAwaiter().GetResult()!;
            Assert.Contains(compilation.ReferencedAssemblyNames, a => a.Name == "System.Runtime" && a.Version.Major == 8);
            return solution;
        }));

    /// <summary>
    /// One case: the generator caches every step on a second run, and under the testing framework it writes exactly
    /// the snapshot's sources and the compilation has exactly the case's <see cref="Reported"/> diagnostics. A failure
    /// names the snapshot and how to accept a change.
    /// </summary>
    private static async Task RunCaseAsync(string name, bool net8, Action<GeneratorTest>? configure = null)
    {
        (string source, Dictionary<string, string> properties) = Cases[name];
        string code = TestSource.Usings + TestSource.WithoutMarkup(source);
        if (Snapshot.Updating)
        {
            // From the net10.0 output in either theory, so that the order in which they run does not matter; the file
            // named as the testing framework names it, since the program gives it as the main task's creation site.
            CSharpCompilation compilation = GeneratorHarness.Compilation(code);
            compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], compilation.SyntaxTrees[0].WithFilePath(GeneratorTest.SourcePath));
            GeneratorHarness.Generated generated = GeneratorHarness.Generate(compilation, properties);
            Snapshot.Write(name, generated.Program, generated.Accessors);
        }

        GeneratorHarness.AssertCachedOnASecondRun(net8 ? GeneratorHarness.Net8Compilation(code) : GeneratorHarness.Compilation(code), properties);

        var test = new GeneratorTest(source, properties, net8);
        (string program, string accessors) = Snapshot.Read(name);
        test.ExpectGenerated(program, accessors);
        test.ExpectedDiagnostics.AddRange(Reported.GetValueOrDefault(name, Array.Empty<DiagnosticResult>()));
        configure?.Invoke(test);
        try
        {
            await test.RunAsync();
        }
        catch (Exception failure)
        {
            throw new XunitException(failure.Message + "\n\n" + Snapshot.HowToAccept(name));
        }
    }

}
