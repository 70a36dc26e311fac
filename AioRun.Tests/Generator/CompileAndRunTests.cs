using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// Generated programs, compiled with the real AioRun.dll, emitted to disk and run as real processes: exit codes,
/// the shutdown lines, real SIGINT/SIGTERM, the callback, the handler, the loop type and aiorun's refusal.
/// </summary>
public class CompileAndRunTests
{
    [Fact]
    public void A_Task_of_int_entry_gives_its_int_as_the_exit_code_after_the_whole_shutdown()
    {
        using var child = GeneratedProgram.Start(
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
        using var child = GeneratedProgram.Start(
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
        using var child = GeneratedProgram.Start(
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
        using var child = GeneratedProgram.Start(
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
        using var child = GeneratedProgram.Start(
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
        using var child = GeneratedProgram.Start(
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

        using var child = GeneratedProgram.Start(source, new Dictionary<string, string> { ["AioRunShutdownTimeout"] = "0.2" }, sourcePath: path);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        string refused = Assert.Single(child.AllLines, l => l.StartsWith("Task refused to exit within the shutdown timeout of 0.2 s: 'main'", StringComparison.Ordinal));
        Assert.Contains($"created at {path}:{line}", refused, StringComparison.Ordinal);
    }

    /// <summary>
    /// A socket receive that is pending when its data arrives, awaited twice: with <c>ConfigureAwait(false)</c> its
    /// continuation runs where .NET completed the receive, a thread-pool thread by default and the socket engine's own
    /// thread with the option; awaited on the loop, its continuation runs on the loop thread either way.
    /// </summary>
    private const string SocketCompletionProgram = """
        static partial class Program
        {
            [AioRunEntry(ATTRIBUTE)]
            static async Task Main()
            {
                int loopThread = Environment.CurrentManagedThreadId;
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                listener.Start();
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
                using var server = await listener.AcceptTcpClientAsync();
                Console.WriteLine("variable: " + (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "unset"));

                // The receive is started (and finds nothing to read) before the byte is sent.
                Task<string> offLoop = ReceiveWithoutContext(server.Client);
                await client.Client.SendAsync(new byte[] { 1 }, System.Net.Sockets.SocketFlags.None);
                Console.WriteLine("ConfigureAwait(false) continuation: " + await offLoop);

                Task<int> onLoop = server.Client.ReceiveAsync(new byte[1], System.Net.Sockets.SocketFlags.None);
                await client.Client.SendAsync(new byte[] { 2 }, System.Net.Sockets.SocketFlags.None);
                await onLoop;
                Console.WriteLine("loop continuation on the loop thread: " + (Environment.CurrentManagedThreadId == loopThread && AioLoop.Current is not null));
                Aio.Stop();
            }

            static async Task<string> ReceiveWithoutContext(System.Net.Sockets.Socket socket)
            {
                await socket.ReceiveAsync(new byte[1], System.Net.Sockets.SocketFlags.None).ConfigureAwait(false);
                return Thread.CurrentThread.IsThreadPoolThread ? "thread pool" : "not the thread pool (" + Thread.CurrentThread.Name + ")";
            }
        }
        """;

    [UnixTheory]
    [InlineData("InlineSocketCompletions = true", null)]
    [InlineData("", "true")]
    public void With_InlineSocketCompletions_a_socket_completion_runs_on_the_engine_thread_and_posts_straight_to_the_loop(string attribute, string? project)
    {
        using var child = StartSocketCompletionProgram(attribute, project, variable: null);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Assert.Contains("variable: 1", child.AllLines);
        Assert.Contains("ConfigureAwait(false) continuation: not the thread pool (.NET Sockets)", child.AllLines);
        Assert.Contains("loop continuation on the loop thread: True", child.AllLines);
    }

    [UnixTheory]
    [InlineData("", null, null)]
    [InlineData("InlineSocketCompletions = false", "true", null)]
    [InlineData("InlineSocketCompletions = true", null, "0")]
    public void Without_InlineSocketCompletions_or_with_the_variable_set_to_0_a_socket_completion_runs_on_the_thread_pool(string attribute, string? project, string? variable)
    {
        using var child = StartSocketCompletionProgram(attribute, project, variable);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Assert.Contains("variable: " + (variable ?? "unset"), child.AllLines);
        Assert.Contains("ConfigureAwait(false) continuation: thread pool", child.AllLines);
        Assert.Contains("loop continuation on the loop thread: True", child.AllLines);
    }

    /// <summary>
    /// <see cref="SocketCompletionProgram"/> with the attribute's arguments, the csproj property (if any) and the variable
    /// (removed when <see langword="null"/>: the test runner's own environment must not decide the outcome).
    /// </summary>
    private static ChildProcess StartSocketCompletionProgram(string attribute, string? project, string? variable) => GeneratedProgram.Start(
        SocketCompletionProgram.Replace("[AioRunEntry(ATTRIBUTE)]", attribute.Length == 0 ? "[AioRunEntry]" : $"[AioRunEntry({attribute})]", StringComparison.Ordinal),
        project is null ? null : new Dictionary<string, string> { ["AioRunInlineSocketCompletions"] = project },
        environment: new Dictionary<string, string?> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = variable });

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
