using AioRun.Analyzers.CodeFixes.Entry;
using Microsoft.CodeAnalysis;
using Xunit;
using static AioRun.Tests.Analyzers.Entry.EntryVerify;

namespace AioRun.Tests.Analyzers.Entry;

/// <summary>Every AIO1xx rule: where it fires, with which message, where it stays silent, and its code fix.</summary>
public class EntryAnalyzerTests
{
    [Theory]
    [InlineData("Task", "await Task.Yield();", "async")]
    [InlineData("Task<int>", "return await Task.FromResult(3);", "async")]
    [InlineData("ValueTask", "await Task.Yield();", "async")]
    [InlineData("ValueTask<int>", "return 3;", "async")]
    [InlineData("void", "", "")]
    public Task Every_accepted_shape_is_silent(string returns, string body, string asyncKeyword) =>
        AnalyzerAsync($$"""
            static partial class Program
            {
                [AioRunEntry]
                private static {{asyncKeyword}} {{returns}} Main() { {{body}} }
            }
            """);

    [Fact]
    public Task Every_parameter_in_any_order_and_every_option_in_range_is_silent() =>
        AnalyzerAsync(
            """
            namespace App
            {
                public class FastLoop : AioLoop { }

                partial class Outer
                {
                    private partial record Inner
                    {
                        [AioRunEntry(StopOnUnhandledErrors = true, ShutdownTimeoutSeconds = double.PositiveInfinity, ExecutorWorkers = 0,
                            ShutdownCallback = nameof(OnShutdown), ShutdownHandler = nameof(OnSignal), LoopType = typeof(FastLoop))]
                        static Task<int> Main(AioLoop loop, CancellationToken token, string[] args) => Task.FromResult(0);

                        static ValueTask OnShutdown() => default;

                        static void OnSignal(AioLoop loop) { }
                    }
                }
            }
            """,
            OutputKind.ConsoleApplication,
            "build_property.AioRunStopOnUnhandled = True\nbuild_property.AioRunShutdownTimeout = 0.5\nbuild_property.AioRunExecutorWorkers = 4");

    [Fact]
    public Task Local_functions_and_lambdas_with_other_attributes_are_silent() =>
        AnalyzerAsync("""
            static partial class Program
            {
                [AioRunEntry]
                static Task Main()
                {
                    [System.Diagnostics.DebuggerStepThrough] static Task Local() => Task.CompletedTask;
                    Func<Task> lambda = [System.Obsolete] () => Local();
                    return lambda();
                }
            }
            """);

    [Fact]
    public Task A_method_without_the_attribute_is_not_looked_at() =>
        AnalyzerAsync("""
            class Program
            {
                Task<string> Main(int x) => Task.FromResult("");
            }
            """);

    // ---------------------------------------------------------------- AIO100 partial

    [Fact]
    public Task AIO100_a_type_that_is_not_partial_is_made_partial_by_the_fix() =>
        CodeFixAsync<MakeEntryTypesPartialCodeFix>(
            """
            static class {|#1:Program|}
            {
                [AioRunEntry]
                static Task {|#0:Main|}() => Task.CompletedTask;
            }
            """,
            """
            static partial class Program
            {
                [AioRunEntry]
                static Task Main() => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO100", 0, "The type 'Program' must be partial: the generated program adds an accessor to the type of 'Program.Main' and declares every type that contains it").WithLocation(1));

    [Fact]
    public Task AIO100_every_containing_type_that_needs_it_is_made_partial() =>
        CodeFixAsync<MakeEntryTypesPartialCodeFix>(
            """
            namespace App;

            public class {|#2:Outer|}
            {
                partial class Middle
                {
                    internal sealed class {|#1:Inner|}
                    {
                        [AioRunEntry]
                        static Task {|#0:Main|}() => Task.CompletedTask;
                    }
                }
            }
            """,
            """
            namespace App;

            public partial class Outer
            {
                partial class Middle
                {
                    internal sealed partial class Inner
                    {
                        [AioRunEntry]
                        static Task Main() => Task.CompletedTask;
                    }
                }
            }
            """,
            Diagnostic("AIO100", 0, "The types 'Inner', 'Outer' must be partial: the generated program adds an accessor to the type of 'Inner.Main' and declares every type that contains it").WithLocation(1).WithLocation(2));

    // ---------------------------------------------------------------- AIO101 static

    [Fact]
    public Task AIO101_an_instance_method_is_made_static_by_the_fix() =>
        CodeFixAsync<MakeEntryStaticCodeFix>(
            """
            partial class Program
            {
                [AioRunEntry]
                private async Task {|#0:Main|}() => await Task.Yield();
            }
            """,
            """
            partial class Program
            {
                [AioRunEntry]
                private static async Task Main() => await Task.Yield();
            }
            """,
            Diagnostic("AIO101", 0, "'Program.Main' must be static to be an [AioRunEntry] method"));

    // ---------------------------------------------------------------- AIO102 return type

    [Theory]
    [InlineData("Task<string>", "Task.FromResult(\"\")", "'System.Threading.Tasks.Task<string>'")]
    [InlineData("int", "0", "'int'")]
    [InlineData("ValueTask<long>", "default", "'System.Threading.Tasks.ValueTask<long>'")]
    [InlineData("Task<int>?", "null", "'System.Threading.Tasks.Task<int>?'")]
    public Task AIO102_an_unsupported_return_type_is_named(string returns, string body, string named) =>
        AnalyzerAsync(
            $$"""
            static partial class Program
            {
                [AioRunEntry]
                static {|#0:{{returns}}|} Main() => {{body}};
            }
            """,
            Diagnostic("AIO102", 0, $"'Program.Main' cannot return {named}: an [AioRunEntry] method returns Task, Task<int>, ValueTask, ValueTask<int> or void"));

    [Fact]
    public Task AIO102_async_void_is_refused() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [AioRunEntry]
                static async {|#0:void|} Main(AioLoop loop) => await Task.Yield();
            }
            """,
            Diagnostic("AIO102", 0, "'Program.Main' cannot return async void (nothing could await it or see its errors; return Task): an [AioRunEntry] method returns Task, Task<int>, ValueTask, ValueTask<int> or void"));

    // ---------------------------------------------------------------- AIO103 / AIO104 parameters

    [Fact]
    public Task AIO103_an_unsupported_parameter_type_or_ref_kind_is_named() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [AioRunEntry]
                static Task Main(int {|#0:port|}, ref string[] {|#1:args|}) => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO103", 0, "Parameter 'port' of 'Program.Main' is not supported: its type 'int' is none of string[], CancellationToken and AioLoop"),
            Diagnostic("AIO103", 1, "Parameter 'args' of 'Program.Main' is not supported: it is passed by 'ref'; the generated program passes values"));

    [Fact]
    public Task AIO103_a_void_entry_cannot_take_a_cancellation_token() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [AioRunEntry]
                static void Main(AioLoop loop, CancellationToken {|#0:token|}) { }
            }
            """,
            Diagnostic("AIO103", 0, "Parameter 'token' of 'Program.Main' is not supported: a void entry runs before the loop and has no main task whose token it could be; return Task, or create tasks with loop.CreateTask"));

    [Fact]
    public Task AIO104_a_repeated_parameter_is_named_with_the_first() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [AioRunEntry]
                static Task Main(AioLoop first, string[] args, AioLoop {|#0:second|}) => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO104", 0, "Parameter 'second' of 'Program.Main' repeats the AioLoop (the loop) that 'first' already takes: each of string[], CancellationToken and AioLoop is taken at most once"));

    // ---------------------------------------------------------------- AIO105 not callable

    [Theory]
    [InlineData("static partial class Program { [AioRunEntry] static Task {|#0:Main|}<T>() => Task.CompletedTask; }",
        "'Program.Main' cannot be an [AioRunEntry] method: it is generic, and the generated program has no type arguments to give")]
    [InlineData("partial class Host<T> { [AioRunEntry] static Task {|#0:Main|}() => Task.CompletedTask; }",
        "'Host.Main' cannot be an [AioRunEntry] method: its type 'Host<T>' is generic, and the generated program has no type arguments to give")]
    [InlineData("file static partial class Hidden { [AioRunEntry] static Task {|#0:Main|}() => Task.CompletedTask; }",
        "'Hidden.Main' cannot be an [AioRunEntry] method: its type 'Hidden' is file-local, and the generated program is another file")]
    [InlineData("partial interface IApp { [AioRunEntry] static abstract Task {|#0:Main|}(); }",
        "'IApp.Main' cannot be an [AioRunEntry] method: it is abstract or virtual; the generated program calls a method with a body")]
    [InlineData("static partial class Program { [AioRunEntry] static Task {|#0:Main|}(__arglist) => Task.CompletedTask; }",
        "'Program.Main' cannot be an [AioRunEntry] method: it takes __arglist, which the generated program cannot pass")]
    [InlineData("static partial class Program { [AioRunEntry] static Task {|#0:Main|}() => Task.CompletedTask; static int __AioRun_Main; }",
        "'Program.Main' cannot be an [AioRunEntry] method: its type 'Program' declares '__AioRun_Main', and names that start with __AioRun_ are reserved for the generated accessors")]
    [InlineData("static partial class Program { static void Host() { [{|#0:AioRunEntry|}] static Task Main() => Task.CompletedTask; _ = Main(); } }",
        "'Main in Program.Host' cannot be an [AioRunEntry] method: it is a local function, which the generated program cannot call; make it a static method of a partial type")]
    [InlineData("static partial class Program { static void Host() { var run = () => { [{|#0:AioRun.AioRunEntry|}] Task Main() => Task.CompletedTask; }; } }",
        "'Main in Program.Host' cannot be an [AioRunEntry] method: it is a local function, which the generated program cannot call; make it a static method of a partial type")]
    [InlineData("static partial class Program { static readonly Func<Task> Run = [{|#0:AioRunEntry|}] static () => Task.CompletedTask; }",
        "'the lambda in Program.Run' cannot be an [AioRunEntry] method: it is a lambda, which the generated program cannot call; make it a static method of a partial type")]
    public Task AIO105_entries_the_generated_program_cannot_call(string source, string message) =>
        AnalyzerAsync(source, Diagnostic("AIO105", 0, message));

    // ---------------------------------------------------------------- AIO106 two entries

    [Fact]
    public Task AIO106_two_entries_are_both_reported() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [{|#0:AioRunEntry|}]
                static Task Main() => Task.CompletedTask;
            }

            static partial class Service
            {
                [{|#1:AioRunEntry|}]
                static Task Run() => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO106", 0, "[AioRunEntry] is on 2 methods (Program.Main(), Service.Run()); a program has one entry"),
            Diagnostic("AIO106", 1, "[AioRunEntry] is on 2 methods (Program.Main(), Service.Run()); a program has one entry"));

    // ---------------------------------------------------------------- AIO107 / AIO108 project

    [Fact]
    public Task AIO107_a_library_cannot_have_an_entry() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [{|#0:AioRunEntry|}]
                static Task Main() => Task.CompletedTask;
            }
            """,
            OutputKind.DynamicallyLinkedLibrary,
            null,
            Diagnostic("AIO107", 0, "'Program.Main' is an [AioRunEntry] method, but the project builds a library; set <OutputType>Exe</OutputType>"));

    [Fact]
    public async Task AIO108_existing_top_level_statements_are_reported_instead_of_CS8802()
    {
        var test = new EntryTest<Microsoft.CodeAnalysis.Testing.EmptyCodeFixProvider>("""
            static partial class Program
            {
                [{|#0:AioRunEntry|}]
                static Task Main() => Task.CompletedTask;
            }
            """);
        test.TestState.Sources.Add(("Startup.cs", "System.Console.WriteLine(\"hello\");"));
        test.ExpectedDiagnostics.Add(Diagnostic("AIO108", 0, "'Program.Main' is an [AioRunEntry] method, but 'Startup.cs' already has top-level statements; a program has one entry point: move that code into the entry"));
        await test.RunAsync();
    }

    [Fact]
    public async Task AIO113_a_startup_object_is_reported_instead_of_CS8804()
    {
        var test = new EntryTest<Microsoft.CodeAnalysis.Testing.EmptyCodeFixProvider>("""
            namespace App
            {
                static partial class Program
                {
                    [{|#0:AioRunEntry|}]
                    static Task Main() => Task.CompletedTask;
                }
            }
            """);
        test.SolutionTransforms.Add((solution, projectId) =>
            solution.WithProjectCompilationOptions(projectId, solution.GetProject(projectId)!.CompilationOptions!.WithMainTypeName("App.Program")));
        test.ExpectedDiagnostics.Add(Diagnostic("AIO113", 0, "'Program.Main' is an [AioRunEntry] method, but the project sets <StartupObject> to 'App.Program'; the generated program is the entry point: remove <StartupObject>"));
        await test.RunAsync();
    }

    // ---------------------------------------------------------------- AIO109 / AIO110 callback and handler

    [Fact]
    public Task AIO109_a_callback_or_handler_name_that_does_not_exist() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [AioRunEntry({|#0:ShutdownCallback = "Cleanup"|}, {|#1:ShutdownHandler = "OnSignal"|})]
                static Task Main() => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO109", 0, "ShutdownCallback = \"Cleanup\": 'Program' has no member of that name"),
            Diagnostic("AIO109", 1, "ShutdownHandler = \"OnSignal\": 'Program' has no member of that name"));

    [Theory]
    [InlineData("ShutdownCallback", "static int Cleanup(string reason) => 0;",
        "ShutdownCallback = \"Cleanup\" cannot be used: no method 'Cleanup' of 'Program' has the shape static void, Task or ValueTask Name() or Name(AioLoop loop)")]
    [InlineData("ShutdownCallback", "void Cleanup() { }",
        "ShutdownCallback = \"Cleanup\" cannot be used: no method 'Cleanup' of 'Program' has the shape static void, Task or ValueTask Name() or Name(AioLoop loop)")]
    [InlineData("ShutdownCallback", "static void Cleanup() { } static Task Cleanup(AioLoop loop) => Task.CompletedTask;",
        "ShutdownCallback = \"Cleanup\" cannot be used: more than one method 'Cleanup' of 'Program' has the shape static void, Task or ValueTask Name() or Name(AioLoop loop); keep one")]
    [InlineData("ShutdownHandler", "static void Cleanup() { }",
        "ShutdownHandler = \"Cleanup\" cannot be used: no method 'Cleanup' of 'Program' has the shape static void Name(AioLoop loop)")]
    [InlineData("ShutdownHandler", "static Task Cleanup(AioLoop loop) => Task.CompletedTask;",
        "ShutdownHandler = \"Cleanup\" cannot be used: no method 'Cleanup' of 'Program' has the shape static void Name(AioLoop loop)")]
    public Task AIO110_a_callback_or_handler_of_the_wrong_shape_or_ambiguous(string option, string members, string message) =>
        AnalyzerAsync(
            $$"""
            partial class Program
            {
                [AioRunEntry({|#0:{{option}} = nameof(Cleanup)|})]
                static Task Main() => Task.CompletedTask;

                {{members}}
            }
            """,
            Diagnostic("AIO110", 0, message));

    [Theory]
    [InlineData("ShutdownCallback", "static async Task Cleanup(AioLoop loop) => await Task.Yield();")]
    [InlineData("ShutdownCallback", "private static void Cleanup() { }")]
    [InlineData("ShutdownCallback", "static ValueTask Cleanup() => default; static int Cleanup(int x) => x;")]
    [InlineData("ShutdownHandler", "static void Cleanup(AioLoop loop) => loop.Stop();")]
    public Task AIO110_callbacks_and_handlers_of_an_accepted_shape_are_silent(string option, string members) =>
        AnalyzerAsync($$"""
            partial class Program
            {
                [AioRunEntry({{option}} = nameof(Cleanup))]
                static Task Main() => Task.CompletedTask;

                {{members}}
            }
            """);

    // ---------------------------------------------------------------- AIO111 loop type

    [Theory]
    [InlineData("string", "LoopType 'string' cannot be used: it does not derive from AioRun.AioLoop")]
    [InlineData("AbstractLoop", "LoopType 'AbstractLoop' cannot be used: it is abstract")]
    [InlineData("NoDefaultConstructorLoop", "LoopType 'NoDefaultConstructorLoop' cannot be used: it has no public parameterless constructor")]
    [InlineData("Program.PrivateLoop", "LoopType 'Program.PrivateLoop' cannot be used: the generated program cannot reach it (it, or a type that contains it, is private or protected)")]
    [InlineData("GenericLoop<>", "LoopType 'GenericLoop<>' cannot be used: it is an open generic type; give its type arguments")]
    public Task AIO111_a_loop_type_that_is_not_a_usable_AioLoop(string loopType, string message) =>
        AnalyzerAsync(
            $$"""
            abstract class AbstractLoop : AioLoop { }
            class NoDefaultConstructorLoop : AioLoop { public NoDefaultConstructorLoop(int x) { } }
            class GenericLoop<T> : AioLoop { }

            static partial class Program
            {
                private sealed class PrivateLoop : AioLoop { }

                [AioRunEntry({|#0:LoopType = typeof({{loopType}})|})]
                static Task Main() => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO111", 0, message));

    [Fact]
    public Task AIO111_a_closed_generic_public_loop_is_usable() =>
        AnalyzerAsync("""
            public class GenericLoop<T> : AioLoop { }

            static partial class Program
            {
                [AioRunEntry(LoopType = typeof(GenericLoop<int>))]
                static Task Main() => Task.CompletedTask;
            }
            """);

    // ---------------------------------------------------------------- AIO112 options

    [Theory]
    [InlineData("ShutdownTimeoutSeconds = -1", "ShutdownTimeoutSeconds is -1 in [AioRunEntry]; it must be a number of seconds, zero or more (Infinity for no timeout)")]
    [InlineData("ShutdownTimeoutSeconds = double.NaN", "ShutdownTimeoutSeconds is NaN in [AioRunEntry]; it must be a number of seconds, zero or more (Infinity for no timeout)")]
    [InlineData("ShutdownTimeoutSeconds = 1e300", "ShutdownTimeoutSeconds is 1E+300 in [AioRunEntry]; it must be a number of seconds, zero or more (Infinity for no timeout)")]
    [InlineData("ExecutorWorkers = -2", "ExecutorWorkers is -2 in [AioRunEntry]; it must be 0 (no bound) or more")]
    public Task AIO112_attribute_options_out_of_range_name_the_option_and_value(string option, string message) =>
        AnalyzerAsync(
            $$"""
            static partial class Program
            {
                [AioRunEntry({|#0:{{option}}|})]
                static Task Main() => Task.CompletedTask;
            }
            """,
            Diagnostic("AIO112", 0, message));

    [Fact]
    public Task AIO112_project_options_out_of_range_name_the_property_and_value() =>
        AnalyzerAsync(
            """
            static partial class Program
            {
                [{|#0:AioRunEntry|}]
                static Task Main() => Task.CompletedTask;
            }
            """,
            OutputKind.ConsoleApplication,
            "build_property.AioRunStopOnUnhandled = yes\nbuild_property.AioRunShutdownTimeout = soon\nbuild_property.AioRunExecutorWorkers = -1",
            Diagnostic("AIO112", 0, "AioRunStopOnUnhandled is 'yes' in the project (MSBuild property); it must be true or false"),
            Diagnostic("AIO112", 0, "AioRunShutdownTimeout is 'soon' in the project (MSBuild property); it must be a number of seconds, zero or more (Infinity for no timeout)"),
            Diagnostic("AIO112", 0, "AioRunExecutorWorkers is '-1' in the project (MSBuild property); it must be 0 (no bound) or more"));
}
