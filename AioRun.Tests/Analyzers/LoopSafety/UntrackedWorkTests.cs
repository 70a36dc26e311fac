using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static AioRun.Tests.Support.TestSource;
using Fix = AioRun.Tests.Analyzers.LoopSafety.CodeFixVerifier<AioRun.Analyzers.LoopSafety.UntrackedWorkAnalyzer, AioRun.Analyzers.CodeFixes.UntrackedWorkCodeFix>;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.UntrackedWorkAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class UntrackedWorkTests
{
    private const string Helpers = """
            static Task WorkAsync() => Task.CompletedTask;
            static Task WorkAsync(int n) => Task.CompletedTask;
            static Task<int> GetAsync() => Task.FromResult(1);
            static ValueTask ValueWorkAsync() => default;
            static Task SaveAsync(CancellationToken token) => Task.CompletedTask;
            static void Compute() { }
        """;

    private static readonly Dictionary<string, string> Reported = new()
    {
        { "Task.Run of sync work in an async method", """
                async Task M()
                {
                    [|Task.Run(() => Compute())|];
                    await Task.Yield();
                }
            """ },
        { "awaited Task.Run with a result", """
                async Task<int> M() => await [|Task.Run(() => 42)|];
            """ },
        { "Task.Run of async work", """
                async Task M() => await [|Task.Run(async () => await WorkAsync())|];
            """ },
        { "Task.Factory.StartNew", """
                async Task M()
                {
                    await [|Task.Factory.StartNew(() => Compute())|];
                }
            """ },
        { "ThreadPool.QueueUserWorkItem", """
                async Task M()
                {
                    [|ThreadPool.QueueUserWorkItem(_ => Compute())|];
                    await Task.Yield();
                }
            """ },
        { "new Thread", """
                async Task M()
                {
                    [|new Thread(() => Compute())|].Start();
                    await Task.Yield();
                }
            """ },
        { "unawaited call", """
                async Task M()
                {
                    [|WorkAsync()|];
                    await Task.Yield();
                }
            """ },
        { "discarded task", """
                async Task M()
                {
                    _ = [|WorkAsync(1)|];
                    await Task.Yield();
                }
            """ },
        { "discarded ValueTask", """
                async ValueTask M()
                {
                    _ = [|ValueWorkAsync()|];
                    await Task.Yield();
                }
            """ },
        { "discarded generic task", """
                async Task M()
                {
                    _ = [|GetAsync()|];
                    await Task.Yield();
                }
            """ },
        { "discarded ConfigureAwait", """
                async Task M()
                {
                    _ = [|WorkAsync().ConfigureAwait(false)|];
                    await Task.Yield();
                }
            """ },
        { "async lambda", """
                void M()
                {
                    Func<Task> f = async () =>
                    {
                        _ = [|WorkAsync()|];
                        await Task.Yield();
                    };
                }
            """ },
        { "async local function", """
                void M()
                {
                    async Task Local()
                    {
                        [|Task.Run(() => Compute())|];
                        await Task.Yield();
                    }
                }
            """ },
        { "extension method", """
                async Task M()
                {
                    _ = [|this.ExtensionAsync()|];
                    await Task.Yield();
                }
            }

            static class Extensions
            {
                public static Task ExtensionAsync(this C c) => Task.CompletedTask;
            """ },
        { "sync lambda inside an async method", """
                async Task M(List<int> items)
                {
                    items.ForEach(i => _ = [|WorkAsync(i)|]);
                    await Task.Yield();
                }
            """ },
        { "synchronous [AioRunEntry] taking the loop", """
                [AioRunEntry]
                static void Main(AioLoop loop)
                {
                    [|Task.Run(() => Compute())|];
                }
            """ },
        { "shutdown callback", """
                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static async Task Main() => await Task.Yield();

                static void OnShutdown()
                {
                    _ = [|WorkAsync()|];
                }
            """ },
        { "property returning an async lambda (expression body)", """
                Func<Task<int>> Starter => async () => await [|Task.Run(() => 1)|];
            """ },
        { "nested async lambda in a sync lambda in a sync method", """
                void M()
                {
                    Action register = () => Aio.CreateTask(async () =>
                    {
                        [|new Thread(() => Compute())|].Start();
                        await Task.Yield();
                    });
                }
            """ },
        { "Task.Run whose own lambda starts more (only the outer is on the loop)", """
                async Task M()
                {
                    await [|Task.Run(() => Task.Run(() => Compute()))|];
                }
            """ },
        { "an error observer on a call: the call's task is the one dropped", """
                async Task M()
                {
                    [|WorkAsync().ContinueWith(t => Console.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted)|];
                    await Task.Yield();
                }
            """ },
        { "Task.Run stored in a field that nothing awaits", """
                private Task? _loop;

                async Task M()
                {
                    _loop = [|Task.Run(() => Thread.Sleep(10))|];
                    await Task.Yield();
                }
            """ },
    };

    private static readonly Dictionary<string, string> NotReported = new()
    {
        { "Aio.CreateTask, discarded and bare", """
                async Task M()
                {
                    _ = Aio.CreateTask(WorkAsync);
                    Aio.CreateTask(ct => SaveAsync(ct), "save");
                    await Task.Yield();
                }
            """ },
        { "loop.CreateTask in a synchronous entry", """
                [AioRunEntry]
                static void Main(AioLoop loop)
                {
                    loop.CreateTask(WorkAsync);
                    _ = loop.CreateTask(GetAsync);
                }
            """ },
        { "Aio.ShutdownWaitsFor, bare and discarded", """
                async Task M()
                {
                    Aio.ShutdownWaitsFor(SaveAsync);
                    _ = Aio.ShutdownWaitsFor(WorkAsync());
                    await Task.Yield();
                }
            """ },
        { "RunInExecutor, discarded and awaited", """
                async Task M(AioLoop loop)
                {
                    _ = Aio.RunInExecutor(() => Compute());
                    int n = await loop.RunInExecutor(() => 42);
                }
            """ },
        { "awaited calls", """
                async Task M()
                {
                    await WorkAsync();
                    await ValueWorkAsync().ConfigureAwait(false);
                    int n = await GetAsync();
                }
            """ },
        { "task stored then awaited", """
                async Task M()
                {
                    Task t = WorkAsync();
                    await Task.WhenAll(t, WorkAsync(2));
                }
            """ },
        { "synchronous method: not on the loop", """
                void M()
                {
                    Task.Run(() => Compute());
                    _ = WorkAsync();
                    new Thread(() => Compute()).Start();
                }
            """ },
        { "inside a RunInExecutor lambda", """
                async Task M()
                {
                    await Aio.RunInExecutor(() =>
                    {
                        Task.Run(() => Compute());
                        ThreadPool.QueueUserWorkItem(_ => Compute());
                    });
                }
            """ },
        { "inside a ContinueWith lambda", """
                async Task M()
                {
                    await WorkAsync().ContinueWith(_ => { _ = WorkAsync(); });
                }
            """ },
        { "completed-task factories", """
                async Task M()
                {
                    _ = Task.FromResult(1);
                    _ = ValueTask.FromResult(2);
                    await Task.Yield();
                }
            """ },
        { "returned task of a non-async method", """
                Task M() => WorkAsync();
                Task N() { return Task.Run(() => Compute()); }
            """ },
        { "call whose result is not a task", """
                async Task M()
                {
                    Compute();
                    _ = "text".Length;
                    await Task.Yield();
                }
            """ },
        { "AsTask of an AioTask", """
                async Task M()
                {
                    _ = Aio.CreateTask(WorkAsync).AsTask();
                    await Task.Yield();
                }
            """ },
        { "lambda in a field initializer", """
                static readonly Action Starter = () => Task.Run(() => Compute());
            """ },
        { "sync local function in an async method", """
                async Task M()
                {
                    void Start() => Task.Run(() => Compute());
                    Start();
                    await Task.Yield();
                }
            """ },
        { "nameof", """
                async Task M()
                {
                    string name = nameof(Task.Run);
                    await Task.Yield();
                }
            """ },
        { "an error observer attached to a task that already exists", """
                async Task M(Task pending, Task other)
                {
                    _ = pending.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
                    _ = other.ObserveErrors();
                    await Task.Yield();
                }
            }

            static class Observers
            {
                public static Task ObserveErrors(this Task task)
                {
                    task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                    return task;
                }
            """ },
        { "Task.Run stored in a field that the type awaits when it closes", """
                private Task? _loop;

                async Task OpenAsync()
                {
                    await Task.Yield();
                    _loop = Task.Run(() => Thread.Sleep(10));
                }

                async Task CloseAsync()
                {
                    if (_loop is not null)
                        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
            """ },
        { "Task.Run stored in a field that the type joins through a local and the project's own extension", """
                private Task? _pump;

                async Task OpenAsync()
                {
                    await Task.Yield();
                    _pump = Task.Run(() => Thread.Sleep(10));
                }

                async Task CloseAsync(Task? sender)
                {
                    var pump = _pump!.Join(sender);
                    await Task.WhenAll(pump);
                }
            }

            static class Joins
            {
                public static async Task Join(this Task task, Task? sender)
                {
                    if (task != sender)
                        await task;
                }
            """ },
    };

    public static TheoryData<string> ReportedCases => new(Reported.Keys);

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Untracked_work_on_the_loop_is_reported(string name) => Verify.VerifyAsync(InClass(Reported[name], Helpers));

    public static TheoryData<string> NotReportedCases => new(NotReported.Keys);

    [Theory]
    [MemberData(nameof(NotReportedCases))]
    public Task Tracked_or_off_loop_work_is_not_reported(string name) => Verify.VerifyAsync(InClass(NotReported[name], Helpers));

    [Fact]
    public Task Generated_code_is_skipped() => Verify.VerifyAsync("// <auto-generated/>\n" + InClass("""
            async Task M()
            {
                Task.Run(() => Compute());
                await Task.Yield();
            }
        """, Helpers));

    [Fact]
    public Task Generated_types_are_skipped() => Verify.VerifyAsync(Usings + """
        [System.CodeDom.Compiler.GeneratedCode("tool", "1.0")]
        partial class Generated
        {
            async Task M()
            {
                _ = Task.Run(() => { });
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task Nothing_is_reported_without_a_reference_to_AioRun()
    {
        const string source = """
            using System.Threading.Tasks;

            class C
            {
                async Task M()
                {
                    _ = Task.Run(() => { });
                    await Task.Yield();
                }
            }
            """;
        return Verify.Create(source, referenceAioRun: false).RunAsync();
    }

    [Fact]
    public Task The_message_names_the_starter_and_the_remedy() => Verify.VerifyAsync(
        InClass("""
                async Task M()
                {
                    await {|#0:Task.Run(() => Compute())|};
                }
            """, Helpers),
        new DiagnosticResult("AIO001", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'Task.Run' starts work on the thread pool: the loop does not track this work, so the shutdown neither cancels it nor waits for it (use Aio.RunInExecutor)"));

    // ---------------------------------------------------------------- code fixes

    [Fact]
    public Task Task_Run_of_sync_work_becomes_RunInExecutor() => Fix.VerifyAsync(
        InClass("""
                async Task<int> M()
                {
                    [|Task.Run(() => Compute())|];
                    int n = await [|Task.Run<int>(() => 42)|];
                    return n + await [|Task.Factory.StartNew(() => 1)|];
                }
            """, Helpers),
        InClass("""
                async Task<int> M()
                {
                    _ = Aio.RunInExecutor(() => Compute());
                    int n = await Aio.RunInExecutor(() => 42);
                    return n + await Aio.RunInExecutor(() => 1);
                }
            """, Helpers));

    [Fact]
    public Task Task_Run_of_async_work_becomes_CreateTask_and_AsTask_where_a_Task_is_used() => Fix.VerifyAsync(
        InClass("""
                async Task M()
                {
                    await [|Task.Run(async () => await WorkAsync())|];
                    Task t = [|Task.Run(async () =>
                    {
                        await WorkAsync(); // keep this comment
                    })|];
                    await t;
                }
            """, Helpers),
        InClass("""
                async Task M()
                {
                    await Aio.CreateTask(async () => await WorkAsync());
                    Task t = Aio.CreateTask(async () =>
                    {
                        await WorkAsync(); // keep this comment
                    }).AsTask();
                    await t;
                }
            """, Helpers));

    [Fact]
    public Task A_dropped_task_becomes_a_tracked_task() => Fix.VerifyAsync(
        InClass("""
                async Task M(int n)
                {
                    [|WorkAsync()|];
                    _ = [|WorkAsync(n)|];
                    _ = [|GetAsync().ConfigureAwait(false)|];
                    _ = [|ValueWorkAsync()|]; // trailing comment
                    foreach (int i in new[] { 1, 2 })
                    {
                        _ = [|WorkAsync(i)|];
                    }

                    await Task.Yield();
                }
            """, Helpers),
        InClass("""
                async Task M(int n)
                {
                    Aio.CreateTask(WorkAsync);
                    _ = Aio.CreateTask(() => WorkAsync(n));
                    _ = Aio.CreateTask(GetAsync);
                    _ = Aio.CreateTask(() => ValueWorkAsync().AsTask()); // trailing comment
                    foreach (int i in new[] { 1, 2 })
                    {
                        _ = Aio.CreateTask(() => WorkAsync(i));
                    }

                    await Task.Yield();
                }
            """, Helpers));

    [Fact]
    public Task No_fix_when_an_argument_would_be_read_later_than_now() => Fix.VerifyNoFixAsync(InClass("""
            async Task M()
            {
                for (int i = 0; i < 3; i++)
                {
                    _ = [|WorkAsync(i)|];
                }

                _ = [|WorkAsync(DateTime.Now.Second)|];
                await [|Task.Run(() => Compute(), CancellationToken.None)|];
            }
        """, Helpers));

    [Fact]
    public Task ThreadPool_and_Thread_become_RunInExecutor() => Fix.VerifyAsync(
        InClass("""
                async Task M()
                {
                    [|ThreadPool.QueueUserWorkItem(state => Compute())|];
                    [|new Thread(() =>
                    {
                        Compute();
                    })|].Start();
                    [|new Thread(Compute)|].Start();
                    await Task.Yield();
                }
            """, Helpers),
        InClass("""
                async Task M()
                {
                    _ = Aio.RunInExecutor(() => Compute());
                    _ = Aio.RunInExecutor(() =>
                    {
                        Compute();
                    });
                    _ = Aio.RunInExecutor(Compute);
                    await Task.Yield();
                }
            """, Helpers));

    [Fact]
    public Task The_fix_adds_the_AioRun_using_when_it_is_missing() => Fix.VerifyAsync(
        """
        using System.Threading.Tasks;

        class C
        {
            async Task M()
            {
                await [|Task.Run(() => 1)|];
            }
        }
        """,
        """
        using System.Threading.Tasks;
        using AioRun;

        class C
        {
            async Task M()
            {
                await Aio.RunInExecutor(() => 1);
            }
        }
        """);

    [Fact]
    public Task Fix_all_in_a_project_fixes_every_document() => Fix.VerifyAsync(
        new[]
        {
            InClass("""
                    async Task A()
                    {
                        _ = [|WorkAsync()|];
                        await [|Task.Run(() => 1)|];
                    }
                """),
            Usings + """
                partial class C
                {
                    async Task B()
                    {
                        [|WorkAsync(2)|];
                        await Task.Yield();
                    }

                """ + Helpers + "\n}\n",
        },
        new[]
        {
            InClass("""
                    async Task A()
                    {
                        _ = Aio.CreateTask(WorkAsync);
                        await Aio.RunInExecutor(() => 1);
                    }
                """),
            Usings + """
                partial class C
                {
                    async Task B()
                    {
                        Aio.CreateTask(() => WorkAsync(2));
                        await Task.Yield();
                    }

                """ + Helpers + "\n}\n",
        });
}
