using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static AioRun.Tests.Support.TestSource;
using Fix = AioRun.Tests.Analyzers.LoopSafety.CodeFixVerifier<AioRun.Analyzers.LoopSafety.BlockingCallAnalyzer, AioRun.Analyzers.CodeFixes.BlockingCallCodeFix>;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.BlockingCallAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class BlockingCallTests
{
    private const string Helpers = """
            static Task WorkAsync() => Task.CompletedTask;
            static Task<int> GetAsync() => Task.FromResult(1);
            static ValueTask<int> ValueGetAsync() => new(1);
            static readonly object Gate = new();
        """;

    private const string Extensions = """
        }

        static class Store
        {
            public static string Load(this C c, string key) => key;
            public static Task<string> LoadAsync(this C c, string key, CancellationToken cancellationToken = default) => Task.FromResult(key);
            public static T Get<T>(string key) => default!;
            public static Task<T> GetAsync<T>(string key, CancellationToken cancellationToken) => Task.FromResult<T>(default!);
            public static void Save(string text) { }
            public static Task SaveAsync(Stream stream) => Task.CompletedTask;
            public static void Flush() { }
            [Obsolete("old")] public static Task FlushAsync() => Task.CompletedTask;
        """;

    private static readonly Dictionary<string, string> Reported = new()
    {
        { "Result", """
                async Task<int> M(Task<int> t)
                {
                    await Task.Yield();
                    return [|t.Result|];
                }
            """ },
        { "Wait()", """
                async Task M(Task t)
                {
                    [|t.Wait()|];
                    await Task.Yield();
                }
            """ },
        { "GetAwaiter().GetResult()", """
                async Task M()
                {
                    [|WorkAsync().GetAwaiter().GetResult()|];
                    await Task.Yield();
                }
            """ },
        { "ConfigureAwait(false).GetAwaiter().GetResult()", """
                async Task<int> M() => [|GetAsync().ConfigureAwait(false).GetAwaiter().GetResult()|] + await GetAsync();
            """ },
        { "Task.WaitAll and Task.WaitAny", """
                async Task M(Task a, Task b)
                {
                    [|Task.WaitAll(a, b)|];
                    int first = [|Task.WaitAny(a, b)|];
                    await Task.Yield();
                }
            """ },
        { "Thread.Sleep and Thread.Join", """
                async Task M(Thread other)
                {
                    [|Thread.Sleep(100)|];
                    [|other.Join()|];
                    await Task.Yield();
                }
            """ },
        { "SemaphoreSlim.Wait", """
                async Task M(SemaphoreSlim gate)
                {
                    [|gate.Wait()|];
                    bool got = [|gate.Wait(100)|];
                    await Task.Yield();
                }
            """ },
        { "Monitor.Wait, WaitHandle.WaitOne, ManualResetEventSlim.Wait", """
                async Task M(ManualResetEvent done, ManualResetEventSlim ready)
                {
                    lock (Gate)
                    {
                        [|Monitor.Wait(Gate)|];
                    }

                    [|done.WaitOne()|];
                    [|ready.Wait()|];
                    await Task.Yield();
                }
            """ },
        { "File.ReadAllText has ReadAllTextAsync", """
                async Task<int> M(string path)
                {
                    string text = [|File.ReadAllText(path)|];
                    await Task.Yield();
                    return text.Length;
                }
            """ },
        { "Stream.Read and StreamReader.ReadLine have async twins", """
                async Task M(FileStream stream, StreamReader reader, byte[] buffer)
                {
                    int n = [|stream.Read(buffer, 0, buffer.Length)|];
                    string? line = [|reader.ReadLine()|];
                    await Task.Yield();
                }
            """ },
        { "ValueTask<T>.Result", """
                async Task<int> M()
                {
                    await Task.Yield();
                    return [|ValueGetAsync().Result|];
                }
            """ },
        { "async lambda", """
                void M(Task<int> t)
                {
                    Func<Task<int>> f = async () =>
                    {
                        await Task.Yield();
                        return [|t.Result|];
                    };
                }
            """ },
        { "async local function", """
                void M()
                {
                    async Task Local()
                    {
                        [|Thread.Sleep(10)|];
                        await Task.Yield();
                    }
                }
            """ },
        { "a sync lambda run by an async method (LINQ)", """
                async Task<int> M(string[] paths)
                {
                    await Task.Yield();
                    return paths.Select(p => [|File.ReadAllText(p)|]).Count();
                }
            """ },
        { "expression-bodied async method", """
                async Task<int> M(Task<int> t) => [|t.Result|] + await GetAsync();
            """ },
        { "extension method with an async twin", """
                async Task M()
                {
                    string value = [|this.Load("key")|];
                    await Task.Yield();
                }
            """ + Extensions },
        { "generic method with an async twin", """
                async Task M()
                {
                    int value = [|Store.Get<int>("key")|];
                    await Task.Yield();
                }
            """ + Extensions },
        { "synchronous [AioRunEntry]", """
                [AioRunEntry]
                static void Main(AioLoop loop)
                {
                    [|Thread.Sleep(10)|];
                }
            """ },
        { "shutdown callback", """
                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static async Task Main() => await Task.Yield();

                static void OnShutdown(AioLoop loop) => [|File.WriteAllText("state", "saved")|];
            """ },
        { "shutdown handler (it runs on the loop thread when the first signal arrives)", """
                [AioRunEntry(ShutdownHandler = nameof(OnSignal))]
                static async Task Main() => await Task.Yield();

                static void OnSignal(AioLoop loop)
                {
                    [|Thread.Sleep(100)|];
                    loop.Stop();
                }
            """ },
        { "property returning an async lambda", """
                Func<Task<string>> Reader => async () =>
                {
                    await Task.Yield();
                    return [|File.ReadAllText("x")|];
                };
            """ },
        { "an await on one branch does not make the task complete on the other", """
                async Task M(Task t, bool first)
                {
                    if (first)
                    {
                        await t;
                    }
                    else
                    {
                        [|t.Wait()|];
                    }
                }
            """ },
        { "an await inside an earlier lambda does not make the task complete", """
                async Task<int> M(Task<int> t)
                {
                    Func<Task> later = async () => await t;
                    await Task.Yield();
                    return [|t.Result|];
                }
            """ },
        { "an await before the task is assigned again does not make the new one complete", """
                async Task<int> M(Task<int> t)
                {
                    await t;
                    t = GetAsync();
                    return [|t.Result|];
                }
            """ },
        { "an await inside a loop does not cover the code after it", """
                async Task<int> M(Task<int> t, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        await t;
                    }

                    return [|t.Result|];
                }
            """ },
        { "a guard that proves nothing: IsCompleted || something else", """
                async Task<int> M(Task<int> t, bool other)
                {
                    await Task.Yield();
                    return t.IsCompleted || other ? [|t.Result|] : 0;
                }
            """ },
        { "a flag not named for the mode is not dual-mode code", """
                async Task M(Stream stream, bool fast)
                {
                    if (fast)
                        await stream.FlushAsync();
                    else
                        [|stream.Flush()|];
                }
            """ },
        { "a state compared with one of its values is not the caller's choice of mode", """
                async Task M(System.Data.Common.DbConnection connection, Stream stream)
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        [|connection.Open()|];
                    }

                    await stream.FlushAsync();
                }
            """ },
        { "a dual-mode method asked for its synchronous arm from code on the loop", """
                async Task<int> M(Stream stream)
                {
                    return await [|ReadAsync(stream, async: false)|];
                }

                static async Task<int> ReadAsync(Stream stream, bool async) =>
                    async ? await stream.ReadAsync(new byte[1]) : stream.Read(new byte[1]);
            """ },
        { "a certificate loaded from its file", """
                async Task<System.Security.Cryptography.X509Certificates.X509Certificate2> M(string path)
                {
                    await Task.Yield();
            #pragma warning disable SYSLIB0057
                    return [|new System.Security.Cryptography.X509Certificates.X509Certificate2(path, "secret")|];
            #pragma warning restore SYSLIB0057
                }
            """ },
        { "a blocking member called through a local delegate that only ever holds it", """
                async Task M(System.Data.Common.DbConnection connection, Stream stream)
                {
                    Action? close = null;
                    if (connection.State == System.Data.ConnectionState.Closed)
                    {
                        await connection.OpenAsync(CancellationToken.None);
                        close = connection.Close;
                    }

                    [|close?.Invoke()|];
                    Action flush = stream.Flush;
                    [|flush()|];
                }
            """ },
    };

    private static readonly Dictionary<string, string> NotReported = new()
    {
        { "a delegate that may hold something else, or a non-blocking member", """
                async Task M(System.Data.Common.DbConnection connection, Action done, bool owned)
                {
                    await Task.Yield();
                    Action after = owned ? connection.Close : done;
                    after();
                    Action other = connection.Close;
                    other = done;
                    other();
                    Action dispose = connection.Dispose;
                    dispose();
                    Action<string> log = Console.WriteLine;
                    log("x");
                }
            """ },
        { "a blocking member through a delegate in synchronous code", """
                void M(System.Data.Common.DbConnection connection)
                {
                    Action close = connection.Close;
                    close();
                }
            """ },
        { "SemaphoreSlim.Wait(0) and Wait(TimeSpan.Zero) only poll", """
                async Task M(SemaphoreSlim gate)
                {
                    if (gate.Wait(0) || gate.Wait(TimeSpan.Zero))
                    {
                        gate.Release();
                    }

                    await Task.Yield();
                }
            """ },
        { "MemoryStream, StringReader, StringWriter", """
                async Task M(MemoryStream memory, byte[] buffer)
                {
                    memory.Write(buffer, 0, buffer.Length);
                    int n = memory.Read(buffer, 0, buffer.Length);
                    string? line = new StringReader("a").ReadLine();
                    new StringWriter().Write("text");
                    await Task.Yield();
                }
            """ },
        { "Result of a task awaited earlier", """
                async Task<int> M()
                {
                    Task<int> t = GetAsync();
                    await t;
                    return t.Result;
                }
            """ },
        { "Result of tasks awaited through WhenAll", """
                async Task<int> M(Task<int> a, Task<int> b)
                {
                    await Task.WhenAll(a, b).ConfigureAwait(false);
                    return a.Result + b.GetAwaiter().GetResult();
                }
            """ },
        { "completed-task constants", """
                async Task<int> M()
                {
                    Task.CompletedTask.Wait();
                    int a = Task.FromResult(1).Result;
                    int b = new ValueTask<int>(2).Result;
                    await Task.Yield();
                    return a + b;
                }
            """ },
        { "Result guarded by IsCompleted", """
                async Task<int> M(Task<int> t)
                {
                    await Task.Yield();
                    if (t.IsCompletedSuccessfully)
                    {
                        return t.Result;
                    }

                    return t.IsCompleted ? t.Result : 0;
                }
            """ },
        { "inside RunInExecutor, Task.Run, new Thread and ContinueWith lambdas", """
                async Task M(Task<int> t)
                {
                    await Aio.RunInExecutor(() => File.ReadAllText("x"));
                    await Task.Run(() => Thread.Sleep(10));
                    new Thread(() => t.Wait()).Start();
                    await t.ContinueWith(done => done.Result);
                }
            """ },
        { "synchronous method: not on the loop", """
                int M(Task<int> t)
                {
                    Thread.Sleep(10);
                    return t.Result + File.ReadAllText("x").Length;
                }
            """ },
        { "Thread.Sleep(0) yields", """
                async Task M()
                {
                    Thread.Sleep(0);
                    await Task.Yield();
                }
            """ },
        { "AioTask<T>.Result does not block", """
                async Task<int> M()
                {
                    AioTask<int> task = Aio.CreateTask(GetAsync);
                    await task;
                    return task.Result;
                }
            """ },
        { "console output", """
                async Task M()
                {
                    Console.WriteLine("a");
                    Console.Out.WriteLine("b");
                    Console.Error.Flush();
                    await Task.Yield();
                }
            """ },
        { "Dispose and CancellationTokenSource.Cancel", """
                async Task M(FileStream stream, CancellationTokenSource cts)
                {
                    cts.Cancel();
                    stream.Dispose();
                    await Task.Yield();
                }
            """ },
        { "members without an awaitable twin", """
                async Task M(List<int> list)
                {
                    list.Add(1);
                    string s = string.Join(",", list);
                    bool exists = File.Exists("x");
                    await Task.Yield();
                }
            """ },
        { "a twin with other parameters, or obsolete", """
                async Task M()
                {
                    Store.Save("text");
                    Store.Flush();
                    await Task.Yield();
                }
            """ + Extensions },
        { "nameof and assignment", """
                async Task M()
                {
                    string name = nameof(Task<int>.Result);
                    await Task.Yield();
                }
            """ },
        { "lambda in a field initializer", """
                static readonly Func<Task<int>, int> Read = t => t.Result;
            """ },
        { "sync local function in an async method", """
                async Task M()
                {
                    int Read(Task<int> t) => t.Result;
                    await Task.Yield();
                }
            """ },
        { "awaited on every path before the read, also through if (!t.IsCompleted) await t", """
                async Task<int> M(Task<int> t, bool log)
                {
                    if (!t.IsCompleted)
                    {
                        await t;
                    }

                    if (log)
                    {
                        Console.WriteLine("done");
                    }

                    return t.Result;
                }
            """ },
        { "an early return when the task is not complete", """
                async Task<int> M(Task<int> t)
                {
                    await Task.Yield();
                    if (!t.IsCompleted)
                        return 0;
                    return t.Result;
                }
            """ },
        { "guards that prove the task done: IsFaulted, IsCanceled, Status, Debug.Assert", """
                async Task M(Task<int> t, Task u, Task<int> v, Task<int> w)
                {
                    await Task.Yield();
                    if (t.IsFaulted || t.IsCanceled)
                        t.GetAwaiter().GetResult();
                    if (u.Status == TaskStatus.RanToCompletion)
                        u.Wait();
                    if (v.Status is TaskStatus.Faulted or TaskStatus.Canceled)
                        _ = v.Result;
                    System.Diagnostics.Debug.Assert(w.IsCompletedSuccessfully);
                    _ = w.Result;
                }
            """ },
        { "the sync arm of dual-mode code: a bool flag, a ternary, a while condition, a captured flag", """
                async Task<int> M(Stream stream, bool async, CancellationToken token)
                {
                    var buffer = new byte[16];
                    int read = async ? await stream.ReadAsync(buffer, token) : stream.Read(buffer, 0, 16);
                    while (async ? await stream.ReadAsync(buffer, token) > 0 : stream.Read(buffer, 0, 16) > 0)
                        read++;
                    return await Local();

                    async Task<int> Local()
                    {
                        if (async)
                            await stream.FlushAsync(token);
                        else
                            stream.Flush();
                        return read;
                    }
                }
            """ },
        { "the sync arm of dual-mode code: an enum flag, inverted, and an if that falls through to the awaits", """
                enum IOBehavior { Synchronous, Asynchronous }

                async Task M(Stream stream, SemaphoreSlim gate, IOBehavior io, CancellationToken token)
                {
                    if (io == IOBehavior.Synchronous)
                        gate.Wait(token);
                    else
                        await gate.WaitAsync(token);

                    if (io != IOBehavior.Asynchronous)
                    {
                        stream.Flush();
                        return;
                    }

                    await stream.FlushAsync(token);
                }
            """ },
        { "a member whose async twin only hands back its result", """
                async Task<int> M(Schema schema)
                {
                    await Task.Yield();
                    return schema.Columns();
                }
            }

            class Schema
            {
                public int Columns() => 3;
                public Task<int> ColumnsAsync(CancellationToken token = default) => Task.FromResult(Columns());
            """ },
        { "members that do not wait: DbDataReader.IsDBNull, completing a pipe, a stream over a MemoryStream", """
                async Task<int> M(System.Data.Common.DbDataReader reader, System.IO.Pipelines.Pipe pipe, byte[] payload)
                {
                    int nulls = 0;
                    while (await reader.ReadAsync())
                        nulls += reader.IsDBNull(0) ? 1 : 0;
                    pipe.Writer.Complete();
                    pipe.Reader.Complete();
                    using var memory = new MemoryStream();
                    using var zip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Fastest);
                    zip.Write(payload, 0, payload.Length);
                    return nulls;
                }
            """ },
        { "async code that provably runs off the loop: a method group for Task.Run, its helper, a timer callback, an Elapsed handler", """
                void Start(Stream stream)
                {
                    _ = Task.Run(LoopAsync);
                    _ = new Timer(OnTick, null, 1000, 1000);
                    var timer = new System.Timers.Timer(1000);
                    timer.Elapsed += async (_, _) => { await Task.Yield(); Thread.Sleep(1); };
                }

                private async Task LoopAsync()
                {
                    await Task.Yield();
                    Thread.Sleep(1);
                    await HelperAsync();
                }

                private async Task HelperAsync()
                {
                    await Task.Yield();
                    File.ReadAllText("state");
                }

                private async void OnTick(object? state)
                {
                    await Task.Yield();
                    Thread.Sleep(1);
                }
            """ },
        { "GetResult on a completed task through a project's awaitable wrapper", """
                async Task M()
                {
                    await Task.Yield();
                    Task.CompletedTask.ForAwait().GetAwaiter().GetResult();
                }
            }

            static class Wrappers
            {
                public static System.Runtime.CompilerServices.ConfiguredTaskAwaitable ForAwait(this Task task) => task.ConfigureAwait(false);
            """ },
    };

    public static TheoryData<string> ReportedCases => new(Reported.Keys);

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Blocking_calls_on_the_loop_are_reported(string name) => Verify.VerifyAsync(InClass(Reported[name], Helpers));

    public static TheoryData<string> NotReportedCases => new(NotReported.Keys);

    [Theory]
    [MemberData(nameof(NotReportedCases))]
    public Task Non_blocking_or_off_loop_calls_are_not_reported(string name) => Verify.VerifyAsync(InClass(NotReported[name], Helpers));

    [Fact]
    public Task Editorconfig_adds_and_removes_members() => Verify.VerifyAsync(
        InClass("""
                async Task M(System.Collections.Concurrent.BlockingCollection<int> queue, StreamReader reader)
                {
                    int item = [|queue.Take()|];
                    string? line = reader.ReadLine();
                    string text = File.ReadAllText("x");
                    await Task.Yield();
                }
            """, Helpers),
        "aiorun_blocking_members = [System.Collections.Concurrent.BlockingCollection`1]::Take\n"
        + "aiorun_non_blocking_members = [System.IO.TextReader]::ReadLine, [System.IO.File]");

    [Fact]
    public Task Nothing_is_reported_without_a_reference_to_AioRun() => Verify.Create("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task<int> M(Task<int> t)
            {
                Thread.Sleep(1);
                await Task.Yield();
                return t.Result;
            }
        }
        """, referenceAioRun: false).RunAsync();

    [Fact]
    public Task The_message_names_the_member_and_its_twin() => Verify.VerifyAsync(
        InClass("""
                async Task M()
                {
                    string text = {|#0:File.ReadAllText("x")|};
                    await Task.Yield();
                }
            """, Helpers),
        new DiagnosticResult("AIO003", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'File.ReadAllText' blocks the loop thread: every task on the loop stalls until it returns, or deadlocks (use await File.ReadAllTextAsync)"));

    // ---------------------------------------------------------------- code fixes

    [Fact]
    public Task Waits_on_a_task_become_awaits() => Fix.VerifyAsync(
        InClass("""
                async Task<int> M(Task<int> t, Task u)
                {
                    [|u.Wait()|];
                    [|WorkAsync().ConfigureAwait(false).GetAwaiter().GetResult()|];
                    int length = [|t.Result|].ToString().Length; // why
                    [|Task.WaitAll(t, u)|];
                    [|Task.WaitAny(t, u)|];
                    return [|GetAsync().Result|] + [|ValueGetAsync().Result|];
                }
            """, Helpers),
        InClass("""
                async Task<int> M(Task<int> t, Task u)
                {
                    await u;
                    await WorkAsync().ConfigureAwait(false);
                    int length = (await t).ToString().Length; // why
                    await Task.WhenAll(t, u);
                    await Task.WhenAny(t, u);
                    return await GetAsync() + await ValueGetAsync();
                }
            """, Helpers));

    [Fact]
    public Task Thread_Sleep_becomes_Aio_Sleep() => Fix.VerifyAsync(
        InClass("""
                async Task M(int delayMs, TimeSpan pause)
                {
                    [|Thread.Sleep(250)|];
                    [|Thread.Sleep(1000)|];
                    [|Thread.Sleep(delayMs)|];
                    [|Thread.Sleep(pause)|];
                    [|Thread.Sleep(Timeout.Infinite)|];
                }
            """, Helpers),
        InClass("""
                async Task M(int delayMs, TimeSpan pause)
                {
                    await Aio.Sleep(0.25);
                    await Aio.Sleep(1.0);
                    await Aio.Sleep(TimeSpan.FromMilliseconds(delayMs));
                    await Aio.Sleep(pause);
                    await Aio.Sleep(Timeout.InfiniteTimeSpan);
                }
            """, Helpers));

    [Fact]
    public Task A_member_with_a_twin_becomes_its_awaited_twin_with_the_token() => Fix.VerifyAsync(
        InClass("""
                async Task M(string path, StreamReader reader, SemaphoreSlim gate, CancellationToken ct)
                {
                    int length = [|File.ReadAllText(path)|].Length;
                    string? line = [|reader.ReadLine()|];
                    [|gate.Wait()|];
                    string value = [|this.Load("key")|];
                    int n = [|Store.Get<int>("key")|];
                }
            """, Helpers + Extensions),
        InClass("""
                async Task M(string path, StreamReader reader, SemaphoreSlim gate, CancellationToken ct)
                {
                    int length = (await File.ReadAllTextAsync(path, ct)).Length;
                    string? line = await reader.ReadLineAsync(ct);
                    await gate.WaitAsync(ct);
                    string value = await this.LoadAsync("key", ct);
                    int n = await Store.GetAsync<int>("key", ct);
                }
            """, Helpers + Extensions));

    [Fact]
    public Task Without_a_token_parameter_the_twin_gets_Aio_CancellationToken() => Fix.VerifyAsync(
        InClass("""
                async Task M(FileStream stream, byte[] buffer)
                {
                    int n = [|stream.Read(buffer, 0, buffer.Length)|];
                }
            """, Helpers),
        InClass("""
                async Task M(FileStream stream, byte[] buffer)
                {
                    int n = await stream.ReadAsync(buffer, 0, buffer.Length, Aio.CancellationToken);
                }
            """, Helpers));

    [Fact]
    public Task A_task_returning_method_becomes_async_once_for_all_its_fixes() => Fix.VerifyAsync(
        InClass("""
                [AioRunEntry]
                static Task Main()
                {
                    [|Thread.Sleep(10)|];
                    [|File.WriteAllText("x", "y")|];
                    return Task.CompletedTask;
                }

                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static Task<int> Other() => Task.FromResult(0);

                static Task<int> OnShutdown()
                {
                    if (DateTime.Now.Second > 30)
                    {
                        return Task.FromResult([|File.ReadAllText("a")|].Length);
                    }

                    return Task.FromResult(0);
                }
            """, Helpers),
        InClass("""
                [AioRunEntry]
                static async Task Main()
                {
                    await Aio.Sleep(0.01);
                    await File.WriteAllTextAsync("x", "y", Aio.CancellationToken);
                }

                [AioRunEntry(ShutdownCallback = nameof(OnShutdown))]
                static Task<int> Other() => Task.FromResult(0);

                static async Task<int> OnShutdown()
                {
                    if (DateTime.Now.Second > 30)
                    {
                        return (await File.ReadAllTextAsync("a", Aio.CancellationToken)).Length;
                    }

                    return 0;
                }
            """, Helpers));

    [Fact]
    public Task No_fix_where_an_await_cannot_go() => Fix.VerifyNoFixAsync(InClass("""
            [AioRunEntry]
            static void Main(AioLoop loop)
            {
                [|Thread.Sleep(10)|];
            }

            async Task<int> M(Task<int> t, string[] paths)
            {
                lock (Gate)
                {
                    [|Thread.Sleep(1)|];
                }

                await Task.Yield();
                [|Monitor.Wait(Gate)|];
                return paths.Select(p => [|File.ReadAllText(p)|]).Count() + [|t.Wait(10)|].GetHashCode();
            }
        """, Helpers));

    [Fact]
    public Task Fix_all_in_a_project_fixes_every_document() => Fix.VerifyAsync(
        new[]
        {
            InClass("""
                    async Task A(Task<int> t) => Console.WriteLine([|t.Result|]);
                """, Helpers),
            Usings + """
                partial class C
                {
                    [AioRunEntry]
                    static Task B()
                    {
                        [|Thread.Sleep(5)|];
                        return Task.CompletedTask;
                    }

                    async Task D()
                    {
                        [|Thread.Sleep(5)|];
                    }
                }

                """,
        },
        new[]
        {
            InClass("""
                    async Task A(Task<int> t) => Console.WriteLine(await t);
                """, Helpers),
            Usings + """
                partial class C
                {
                    [AioRunEntry]
                    static async Task B()
                    {
                        await Aio.Sleep(0.005);
                    }

                    async Task D()
                    {
                        await Aio.Sleep(0.005);
                    }
                }

                """,
        });
}
