using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Generated programs, compiled with the real AioRun.dll, emitted to disk and run as real processes: exit codes,
/// the shutdown lines, real SIGINT/SIGTERM, the callback, the handler, the loop type and aiorun's refusal.
/// </summary>
public class CompileAndRunTests
{
    private static readonly string ProgramsDirectory = Path.Combine(Path.GetTempPath(), "aiorun-generated-programs", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static CompileAndRunTests()
    {
        // Programs of earlier runs are left behind (a running child holds its files); this run starts clean.
        string parent = Path.GetDirectoryName(ProgramsDirectory)!;
        if (Directory.Exists(parent))
        {
            foreach (string old in Directory.GetDirectories(parent))
            {
                try
                {
                    Directory.Delete(old, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    [Fact]
    public void A_Task_of_int_entry_gives_its_int_as_the_exit_code_after_the_whole_shutdown()
    {
        using var child = Start(
            """
            static partial class Program
            {
                [AioRunEntry]
                static async Task<int> Main(string[] args)
                {
                    await Aio.Sleep(0.01);
                    Aio.Stop();
                    return int.Parse(args[0]);
                }
            }
            """,
            args: "7");

        Assert.True(child.WaitForExit() == 7, child.Transcript);
        Lines.AssertInOrder(child.AllLines, "Entering shutdown phase.", "Cancelling pending tasks. (0 tasks)", "Running pending tasks till complete", "Waiting for executor shutdown.", "Leaving. Bye!");
    }

    [Fact]
    public void StopOnUnhandledErrors_stops_the_loop_and_exits_1_with_the_stack_trace_after_the_shutdown()
    {
        using var child = Start(
            """
            static partial class Program
            {
                [AioRunEntry(StopOnUnhandledErrors = true)]
                static async Task Main()
                {
                    _ = Aio.CreateTask(Fail, "failing");
                    await Aio.Sleep(3600);
                }

                static async Task Fail()
                {
                    await Aio.Sleep(0.01);
                    throw new InvalidOperationException("boom");
                }
            }
            """);

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        Lines.AssertInOrder(child.AllLines, "Unhandled exception; stopping loop.", "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "Leaving. Bye!");
        int report = IndexOf(child.AllLines, l => l.Contains("System.InvalidOperationException: boom", StringComparison.Ordinal), child);
        Assert.True(report > IndexOf(child.AllLines, l => l == "Leaving. Bye!", child), child.Transcript);
        Assert.Contains(child.AllLines.Skip(report), l => l.TrimStart().StartsWith("at Program.Fail", StringComparison.Ordinal));
    }

    [UnixFact]
    public void SIGTERM_runs_the_shutdown_callback_then_cancels_the_main_task_and_exits_0()
    {
        using var child = Start(
            """
            static partial class Program
            {
                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static async ValueTask Main(CancellationToken token)
                {
                    Console.WriteLine("READY");
                    try
                    {
                        await Aio.Sleep(3600, token);
                    }
                    catch (OperationCanceledException)
                    {
                        Console.WriteLine("main saw cancellation");
                    }
                }

                static async Task OnShutdown(AioLoop loop)
                {
                    await Aio.Sleep(0.01);
                    Console.WriteLine("shutdown callback ran on " + (AioLoop.Current == loop ? "the loop" : "another thread"));
                }
            }
            """);
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(
            child.AllLines,
            "Stopping the loop",
            "Entering shutdown phase.",
            "shutdown callback ran on the loop",
            "Cancelling pending tasks. (1 task)",
            "main saw cancellation",
            "Leaving. Bye!");
    }

    [UnixFact]
    public void A_void_entry_takes_the_loop_of_LoopType_and_SIGINT_runs_the_ShutdownHandler()
    {
        using var child = Start(
            """
            public sealed class CountingLoop : AioLoop
            {
                public CountingLoop() => Console.WriteLine("CountingLoop created");
            }

            static partial class Program
            {
                [AioRunEntry(LoopType = typeof(CountingLoop), ShutdownHandler = nameof(OnSignal))]
                static void Main(AioLoop loop, string[] args)
                {
                    Console.WriteLine($"entry got a {loop.GetType().Name} and {args.Length} arguments");
                    loop.CreateTask(async token =>
                    {
                        Console.WriteLine("READY");
                        await Aio.Sleep(3600, token);
                    }, "worker");
                }

                private static void OnSignal(AioLoop loop)
                {
                    Console.WriteLine("custom handler stops the loop");
                    loop.Stop();
                }
            }
            """,
            args: new[] { "a", "b" });
        child.WaitForLine("READY");

        child.Signal(PosixSignal.SIGINT);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(child.AllLines, "CountingLoop created", "entry got a CountingLoop and 2 arguments", "READY", "custom handler stops the loop", "Entering shutdown phase.", "Cancelling pending tasks. (1 task)", "Leaving. Bye!");
        Assert.DoesNotContain("Stopping the loop", child.AllLines);
    }

    [Fact]
    public void A_custom_exception_handler_with_StopOnUnhandledErrors_is_refused_with_aiorun_s_message_and_exit_code_1()
    {
        using var child = Start(
            """
            static partial class Program
            {
                [AioRunEntry(StopOnUnhandledErrors = true)]
                static void Main(AioLoop loop)
                {
                    loop.SetExceptionHandler((_, context) => Console.WriteLine("custom handler: " + context.Message));
                    Console.WriteLine("not reached");
                }
            }
            """);

        Assert.True(child.WaitForExit() == 1, child.Transcript);
        Assert.Contains(child.AllLines, l => l.Contains(AioLoop.StopOnUnhandledErrorsRefusal, StringComparison.Ordinal));
        Assert.DoesNotContain("not reached", child.AllLines);
        Assert.DoesNotContain("Leaving. Bye!", child.AllLines);
    }

    [Fact]
    public void The_project_s_shutdown_timeout_names_a_task_that_refused_to_exit()
    {
        using var child = Start(
            """
            static partial class Program
            {
                [AioRunEntry]
                static async Task Main()
                {
                    _ = Aio.CreateTask(async () => await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None), "stubborn");
                    await Aio.Sleep(0.01);
                    Aio.Stop();
                }
            }
            """,
            buildProperties: new Dictionary<string, string> { ["AioRunShutdownTimeout"] = "0.2" });

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Assert.Contains(child.AllLines, l => l.StartsWith("Task refused to exit within the shutdown timeout of 0.2 s: 'stubborn'", StringComparison.Ordinal));
        Assert.Contains("Leaving. Bye!", child.AllLines);
    }

    [Fact]
    public void The_main_task_is_named_with_the_entry_s_file_and_line_not_the_generated_program()
    {
        // A path that needs escaping in a C# string literal (Windows separators, quotes).
        const string path = @"/src/My ""quoted"" app\Program.cs";
        const string source = """
            static partial class Program
            {
                [AioRunEntry]
                static async Task Main()
                {
                    Aio.Stop();
                    await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
                }
            }
            """;
        int line = Array.FindIndex((TestSource.Usings + source).Split('\n'), l => l.Contains("static async Task Main", StringComparison.Ordinal)) + 1;

        using var child = Start(source, new Dictionary<string, string> { ["AioRunShutdownTimeout"] = "0.2" }, sourcePath: path);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        string refused = Assert.Single(child.AllLines, l => l.StartsWith("Task refused to exit within the shutdown timeout of 0.2 s: 'main'", StringComparison.Ordinal));
        Assert.Contains($"created at {path}:{line}", refused, StringComparison.Ordinal);
    }

    /// <summary>Generates, compiles and emits the program into its own folder beside AioRun.dll, then starts it.</summary>
    /// <param name="sourcePath">The path of the user's file in the compilation (default: the harness's).</param>
    private static ChildProcess Start(string source, Dictionary<string, string>? buildProperties = null, string? sourcePath = null, params string[] args)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(TestSource.Usings + source);
        if (sourcePath is not null)
        {
            compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], compilation.SyntaxTrees[0].WithFilePath(sourcePath));
        }

        var generated = GeneratorHarness.Generate(compilation, buildProperties);
        GeneratorHarness.AssertClean(generated.Output);

        string directory = Path.Combine(ProgramsDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dll = Path.Combine(directory, "UserProgram.dll");
        EmitResult emitted = generated.Output.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        foreach (string dependency in new[] { "AioRun.dll", "Microsoft.Extensions.Logging.Abstractions.dll", "Microsoft.Extensions.DependencyInjection.Abstractions.dll" })
        {
            string from = Path.Combine(AppContext.BaseDirectory, dependency);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(directory, dependency));
            }
        }

        File.WriteAllText(
            Path.Combine(directory, "UserProgram.runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}", "framework": { "name": "Microsoft.NETCore.App", "version": "{{Environment.Version.Major}}.{{Environment.Version.Minor}}.0" } } }""");
        return ChildProcess.StartDotnetMerged(dll, args);
    }

    private static int IndexOf(IReadOnlyList<string> lines, Func<string, bool> match, ChildProcess child)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (match(lines[i]))
            {
                return i;
            }
        }

        Assert.Fail("Line not found. The child printed:\n" + child.Transcript);
        return -1;
    }
}
