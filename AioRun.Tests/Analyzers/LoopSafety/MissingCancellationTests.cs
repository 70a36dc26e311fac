using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static AioRun.Tests.Support.TestSource;
using Fix = AioRun.Tests.Analyzers.LoopSafety.CodeFixVerifier<AioRun.Analyzers.LoopSafety.MissingCancellationAnalyzer, AioRun.Analyzers.CodeFixes.MissingCancellationCodeFix>;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.MissingCancellationAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class MissingCancellationTests
{
    private const string Helpers = """
            static Task SaveAsync(CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
            static Task WriteAsync(string path, bool flush = true, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
            static async ValueTask<int> CountAsync(CancellationToken cancellationToken = default) { await Task.Delay(1, cancellationToken); return 1; }
            static Task<T> LoadAsync<T>() => Task.FromResult<T>(default!);
            static async Task<T> LoadAsync<T>(CancellationToken cancellationToken) { await Task.Delay(1, cancellationToken); return default!; }
            static Task WorkAsync() => Task.CompletedTask;
        """;

    private const string Extensions = """
        }

        static class Pinger
        {
            public static Task PingAsync(this C c, int times, CancellationToken cancellationToken = default) => Task.Delay(times, cancellationToken);
        """;

    private static readonly Dictionary<string, string> Reported = new()
    {
        { "Task.Delay without its token overload", """
                async Task M()
                {
                    await [|Task.Delay(100)|];
                }
            """ },
        { "File.ReadAllTextAsync leaving out its optional token", """
                async Task<string> M(string path) => await [|File.ReadAllTextAsync(path)|];
            """ },
        { "Stream.FlushAsync and TextReader.ReadLineAsync overloads", """
                async Task M(Stream stream, StreamReader reader)
                {
                    await [|stream.FlushAsync()|];
                    string? line = await [|reader.ReadLineAsync()|];
                }
            """ },
        { "SemaphoreSlim.WaitAsync", """
                async Task M(SemaphoreSlim gate)
                {
                    await [|gate.WaitAsync()|];
                    gate.Release();
                }
            """ },
        { "ChannelReader.ReadAsync (ValueTask)", """
                async Task<int> M(System.Threading.Channels.Channel<int> channel) => await [|channel.Reader.ReadAsync()|];
            """ },
        { "through ConfigureAwait", """
                async Task M()
                {
                    await [|Task.Delay(5)|].ConfigureAwait(false);
                }
            """ },
        { "async lambda", """
                void M()
                {
                    Func<Task> f = async () => await [|SaveAsync()|];
                }
            """ },
        { "async local function", """
                void M()
                {
                    async Task Local()
                    {
                        await [|SaveAsync()|];
                    }
                }
            """ },
        { "own method with an optional token", """
                async Task M()
                {
                    await [|WriteAsync("path")|];
                }
            """ },
        { "generic method with a token overload", """
                async Task<int> M() => await [|LoadAsync<int>()|];
            """ },
        { "extension method", """
                async Task M()
                {
                    await [|this.PingAsync(3)|];
                }
            """ + Extensions },
        { "ValueTask<T> method", """
                async Task<int> M() => await [|CountAsync()|];
            """ },
        { "the [AioRunEntry] method", """
                [AioRunEntry]
                static async Task Main(CancellationToken ct)
                {
                    await [|Task.Delay(1000)|];
                }
            """ },
        { "nested async lambdas", """
                void M()
                {
                    Aio.CreateTask(async () =>
                    {
                        Func<Task> inner = async () => await [|SaveAsync()|];
                        await inner();
                    });
                }
            """ },
        { "HttpClient", """
                async Task<string> M(System.Net.Http.HttpClient client) => await [|client.GetStringAsync("http://localhost/")|];
            """ },
        { "property returning an async lambda", """
                Func<Task> Saver => async () => await [|SaveAsync()|];
            """ },
        { "through a project's awaitable wrapper", """
                async Task M(Stream stream)
                {
                    await [|stream.FlushAsync()|].ForAwait();
                    await [|Task.Delay(10)|].ForAwait();
                }
            }

            static class Wrappers
            {
                public static System.Runtime.CompilerServices.ConfiguredTaskAwaitable ForAwait(this Task task) => task.ConfigureAwait(false);
            """ },
        { "a callee that could be overridden may use the token", """
                async Task M(Store store)
                {
                    await [|store.PersistAsync()|];
                }
            }

            class Store
            {
                public virtual Task PersistAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
            """ },
    };

    private static readonly Dictionary<string, string> NotReported = new()
    {
        { "AioRun's own awaits observe the task's token", """
                async Task M()
                {
                    await Aio.Sleep(1.0);
                    await Aio.Sleep(TimeSpan.FromSeconds(1));
                    await Aio.ShutdownWaitsFor(SaveAsync());
                    await Aio.RunInExecutor(() => 1);
                    await Aio.CreateTask(WorkAsync);
                }
            """ },
        { "a token passed", """
                async Task M(CancellationToken ct)
                {
                    await Task.Delay(100, ct);
                    await SaveAsync(ct);
                    await WriteAsync("p", cancellationToken: Aio.CancellationToken);
                }
            """ },
        { "CancellationToken.None and default passed on purpose", """
                async Task M()
                {
                    await Task.Delay(100, CancellationToken.None);
                    await SaveAsync(default);
                }
            """ },
        { "calls that take no token", """
                async Task M()
                {
                    await Task.Yield();
                    await Task.WhenAll(WorkAsync(), WorkAsync());
                    await WorkAsync();
                }
            """ },
        { "Task.Run and WaitAsync belong to AIO001 and AIO002", """
                async Task M()
                {
                    await Task.Run(() => 1);
                    await WorkAsync().WaitAsync(TimeSpan.FromSeconds(1));
                }
            """ },
        { "a call that is not awaited", """
                async Task M()
                {
                    Task delay = Task.Delay(100);
                    await delay;
                }
            """ },
        { "a non-async method returning the task", """
                Task M() => Task.Delay(100);
            """ },
        { "inside Task.Run and StartNew lambdas", """
                async Task M()
                {
                    await Task.Run(async () => await Task.Delay(1));
                    await Task.Factory.StartNew(async () => await SaveAsync());
                }
            """ },
        { "inside a ContinueWith lambda", """
                async Task M()
                {
                    Task<Task> continuation = WorkAsync().ContinueWith(async _ => await SaveAsync());
                    await continuation;
                }
            """ },
        { "awaiting a variable", """
                async Task M(Task<int> pending)
                {
                    int n = await pending;
                }
            """ },
        { "a token given to a named parameter", """
                async Task M(CancellationToken ct)
                {
                    await WriteAsync(cancellationToken: ct, path: "p");
                }
            """ },
        { "a sync method calling async code without await", """
                void M()
                {
                    SaveAsync().GetAwaiter();
                }
            """ },
        { "a lambda in a field initializer", """
                static readonly Func<Task> Saver = () => SaveAsync();
            """ },
        { "ValueTask of AioRun's executor", """
                async Task M(AioLoop loop)
                {
                    await loop.RunInExecutor(() => 2);
                }
            """ },
        { "await of an AioTask", """
                async Task M()
                {
                    AioTask task = Aio.CreateTask(WorkAsync);
                    await task;
                }
            """ },
        { "nameof", """
                async Task M()
                {
                    string name = nameof(Task.Delay);
                    await Task.Yield();
                }
            """ },
        { "a callee whose body never reads its token, and an overload that would ignore it", """
                async Task M(Reader reader)
                {
                    await reader.ConsumeAsync();
                    await reader.CloseAsync(abort: true);
                }
            }

            class Reader
            {
                public async Task ConsumeAsync(int? count = null, CancellationToken cancellationToken = default) => await Task.Yield();
                public Task CloseAsync(bool abort) => CloseAsync(abort, default);
                public Task CloseAsync(bool abort, CancellationToken cancellationToken) => Task.CompletedTask;
            """ },
        { "async code that provably runs off the loop: a method group for Task.Run, a timer callback, a local function run by Task.Run", """
                void Start()
                {
                    _ = Task.Run(PumpAsync);
                    _ = new Timer(OnTick, null, 1000, 1000);
                    _ = Task.Run(() => Forward());

                    static async Task Forward() => await Task.Delay(10);
                }

                private async Task PumpAsync() => await Task.Delay(10);

                private async void OnTick(object? state) => await Task.Delay(10);
            """ },
    };

    public static TheoryData<string> ReportedCases => new(Reported.Keys);

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Awaits_that_could_take_a_token_are_reported(string name) => Verify.VerifyAsync(InClass(Reported[name], Helpers));

    public static TheoryData<string> NotReportedCases => new(NotReported.Keys);

    [Theory]
    [MemberData(nameof(NotReportedCases))]
    public Task Awaits_with_a_token_or_without_one_to_take_are_not_reported(string name) => Verify.VerifyAsync(InClass(NotReported[name], Helpers));

    [Fact]
    public Task Nothing_is_reported_without_a_reference_to_AioRun() => Verify.Create("""
        using System.Threading.Tasks;

        class C
        {
            async Task M() => await Task.Delay(1);
        }
        """, referenceAioRun: false).RunAsync();

    [Fact]
    public Task The_message_names_the_call_and_the_token_to_pass() => Verify.VerifyAsync(
        InClass("""
                async Task M(CancellationToken stop)
                {
                    await {|#0:Task.Delay(100)|};
                }
            """, Helpers),
        new DiagnosticResult("AIO004", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'Task.Delay' accepts a CancellationToken but gets none: the shutdown cannot cancel this await (pass stop)"));

    // ---------------------------------------------------------------- code fixes

    [Fact]
    public Task The_enclosing_functions_token_is_passed() => Fix.VerifyAsync(
        InClass("""
                async Task M(Stream stream, CancellationToken ct)
                {
                    await [|Task.Delay(100)|];
                    await [|stream.FlushAsync()|].ConfigureAwait(false);
                    Aio.CreateTask(async token => await [|SaveAsync()|]);
                    int n = await [|LoadAsync<int>()|];
                }
            """, Helpers),
        InClass("""
                async Task M(Stream stream, CancellationToken ct)
                {
                    await Task.Delay(100, ct);
                    await stream.FlushAsync(ct).ConfigureAwait(false);
                    Aio.CreateTask(async token => await SaveAsync(token));
                    int n = await LoadAsync<int>(ct);
                }
            """, Helpers));

    [Fact]
    public Task Without_a_token_parameter_Aio_CancellationToken_is_passed_by_name_if_need_be() => Fix.VerifyAsync(
        InClass("""
                async Task M()
                {
                    await [|WriteAsync("path")|];
                    await [|WriteAsync(
                        "path",
                        flush: false)|];
                    await [|this.PingAsync(2)|];
                }
            """, Helpers + Extensions),
        InClass("""
                async Task M()
                {
                    await WriteAsync("path", cancellationToken: Aio.CancellationToken);
                    await WriteAsync(
                        "path",
                        flush: false, cancellationToken: Aio.CancellationToken);
                    await this.PingAsync(2, Aio.CancellationToken);
                }
            """, Helpers + Extensions));

    [Fact]
    public Task Fix_all_in_a_solution_fixes_every_document() => Fix.VerifyAsync(
        new[]
        {
            InClass("""
                    async Task A() => await [|SaveAsync()|];
                """, Helpers),
            Usings + """
                partial class C
                {
                    async Task B(CancellationToken cancel)
                    {
                        await [|Task.Delay(1)|];
                        await [|SaveAsync()|];
                    }
                }

                """,
        },
        new[]
        {
            InClass("""
                    async Task A() => await SaveAsync(Aio.CancellationToken);
                """, Helpers),
            Usings + """
                partial class C
                {
                    async Task B(CancellationToken cancel)
                    {
                        await Task.Delay(1, cancel);
                        await SaveAsync(cancel);
                    }
                }

                """,
        });
}
