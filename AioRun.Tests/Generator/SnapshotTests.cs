using AioRun.Tests.Support;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// The generated program and accessors for every entry shape and option combination, pinned by snapshot files in
/// <c>Snapshots/</c>. Each generated program must also compile without a warning (CS7022 suppressed), and the
/// generator must cache every step when it runs again on the same input.
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
                [AioRunEntry(StopOnUnhandledErrors = true, ShutdownTimeoutSeconds = 2.5, ExecutorWorkers = 4,
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
            """, new() { ["AioRunStopOnUnhandled"] = "true", ["AioRunShutdownTimeout"] = "10", ["AioRunExecutorWorkers"] = "2" }),
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
                [AioRunEntry(ShutdownTimeoutSeconds = -1, ExecutorWorkers = -3, ShutdownHandler = "Missing", LoopType = typeof(string))]
                static Task Main() => Task.CompletedTask;
            }
            """, new() { ["AioRunShutdownTimeout"] = "soon", ["AioRunExecutorWorkers"] = "many", ["AioRunStopOnUnhandled"] = "yes" }),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_generated_program_matches_its_snapshot_and_compiles_cleanly(string name)
    {
        (string source, Dictionary<string, string> properties) = Cases[name];
        GeneratorHarness.AssertCachedOnASecondRun(GeneratorHarness.Compilation(TestSource.Usings + source), properties);
        var generated = GeneratorHarness.Generate(GeneratorHarness.Compilation(TestSource.Usings + source), properties);

        Snapshot.Verify(name, $"// ---- {AioRun.Generator.Emitter.ProgramHintName}\n{generated.Program}\n// ---- {AioRun.Generator.Emitter.AccessorsHintName}\n{generated.Accessors}");
        if (name != "Invalid_options_are_left_out")
        {
            GeneratorHarness.AssertClean(generated.Output);
        }
        else
        {
            // The analyzer reports the invalid options; the program itself must not add a compiler error.
            Assert.DoesNotContain(GeneratorHarness.Diagnostics(generated.Output), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        }
    }

    /// <summary>
    /// The package targets net8.0, so a .NET 8 SDK project with its default C# 12 must compile the generated program
    /// too: no newer language feature, no API that net8.0 lacks.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_generated_program_compiles_cleanly_for_net8_with_its_default_CSharp_12(string name)
    {
        (string source, Dictionary<string, string> properties) = Cases[name];
        GeneratorHarness.AssertCachedOnASecondRun(GeneratorHarness.Net8Compilation(TestSource.Usings + source), properties);
        var generated = GeneratorHarness.Generate(GeneratorHarness.Net8Compilation(TestSource.Usings + source), properties);

        Assert.Equal(LanguageVersion.CSharp12, ((CSharpParseOptions)generated.Output.SyntaxTrees.Last().Options).LanguageVersion);
        Assert.Contains(generated.Output.ReferencedAssemblyNames, a => a.Name == "System.Runtime" && a.Version.Major == 8);
        if (name != "Invalid_options_are_left_out")
        {
            GeneratorHarness.AssertClean(generated.Output);
        }
        else
        {
            Assert.DoesNotContain(GeneratorHarness.Diagnostics(generated.Output), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error && !d.Id.StartsWith("AIO", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_snapshot_mismatch_shows_a_line_diff()
    {
        string diff = Snapshot.Diff("a\nb\nc\n", "a\nB\nc\n");

        Assert.Contains("- b", diff, StringComparison.Ordinal);
        Assert.Contains("+ B", diff, StringComparison.Ordinal);
    }
}
