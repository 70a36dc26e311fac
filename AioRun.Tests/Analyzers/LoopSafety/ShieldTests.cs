using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static AioRun.Tests.Support.TestSource;
using Fix = AioRun.Tests.Analyzers.LoopSafety.CodeFixVerifier<AioRun.Analyzers.LoopSafety.ShieldAnalyzer, AioRun.Analyzers.CodeFixes.ShieldCodeFix>;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.ShieldAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class ShieldTests
{
    private const string Helpers = """
            static Task WorkAsync() => Task.CompletedTask;
            static Task<int> GetAsync() => Task.FromResult(1);
            static ValueTask ValueWorkAsync() => default;
        """;

    private static readonly Dictionary<string, string> Reported = new()
    {
        { "WaitAsync with the method's token", """
                async Task M(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(ct)|];
                }
            """ },
        { "WaitAsync of a generic task with the ambient token", """
                async Task<int> M() => await [|GetAsync().WaitAsync(Aio.CancellationToken)|];
            """ },
        { "WaitAsync with a timeout and a token", """
                async Task M(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(TimeSpan.FromSeconds(5), ct)|];
                }
            """ },
        { "WhenAny with an endless Task.Delay", """
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAny(WorkAsync(), Task.Delay(Timeout.Infinite, ct))|];
                }
            """ },
        { "WhenAny with Aio.Sleep (it observes the task's token)", """
                async Task M()
                {
                    await [|Task.WhenAny(WorkAsync(), Aio.Sleep(10))|];
                }
            """ },
        { "WhenAny of three, through params", """
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAny(WorkAsync(), GetAsync(), Task.Delay(-1, ct))|];
                }
            """ },
        { "WhenAll awaited through WaitAsync", """
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAll(WorkAsync(), GetAsync()).WaitAsync(ct)|];
                }
            """ },
        { "async lambda", """
                void M()
                {
                    Func<CancellationToken, Task> f = async ct => await [|WorkAsync().WaitAsync(ct)|];
                }
            """ },
        { "async local function", """
                void M()
                {
                    async Task Local(CancellationToken ct)
                    {
                        await [|WorkAsync().WaitAsync(ct)|];
                    }
                }
            """ },
        { "ConfigureAwait after the shield", """
                async Task M(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(ct)|].ConfigureAwait(false);
                }
            """ },
        { "WhenAny with a TimeSpan delay and a token", """
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAny(WorkAsync(), Task.Delay(TimeSpan.FromMinutes(1), ct))|];
                }
            """ },
        { "a stored task", """
                async Task M(CancellationToken ct)
                {
                    Task work = WorkAsync();
                    await [|work.WaitAsync(ct)|];
                }
            """ },
        { "a shield that is kept, not awaited at once", """
                async Task M(CancellationToken ct)
                {
                    Task shielded = [|WorkAsync().WaitAsync(ct)|];
                    await shielded;
                }
            """ },
        { "expression-bodied async method", """
                async Task M(CancellationToken ct) => await [|WorkAsync().WaitAsync(ct)|];
            """ },
        { "property returning an async lambda", """
                Func<CancellationToken, Task> Shielded => async ct => await [|WorkAsync().WaitAsync(ct)|];
            """ },
        { "ValueTask work as a task", """
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAny(ValueWorkAsync().AsTask(), Task.Delay(-1, ct))|];
                }
            """ },
        { "inside a tracked task's lambda", """
                void M()
                {
                    Aio.CreateTask(async () => await [|Task.WhenAny(WorkAsync(), Aio.Sleep(double.PositiveInfinity))|]);
                }
            """ },
        { "the [AioRunEntry] method", """
                [AioRunEntry]
                static async Task Main(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(ct)|];
                }
            """ },
        { "a delay whose token is linked to the caller's is a shield", """
                async Task M(CancellationToken token)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(token);
                    await [|Task.WhenAny(WorkAsync(), Task.Delay(1000, linked.Token))|];
                }
            """ },
        { "a TaskCompletionSource completed by a registration on the token is a cancellable side", """
                async Task M(CancellationToken token)
                {
                    var cancelled = new TaskCompletionSource<bool>();
                    using (token.Register(() => cancelled.TrySetCanceled()))
                    {
                        await [|Task.WhenAny(WorkAsync(), cancelled.Task)|];
                    }
                }
            """ },
        { "a task field awaited again only before the shield, in a method that is no close path", """
                private Task _loop = Task.CompletedTask;

                async Task StartAsync() => await _loop;

                async Task WaitAsync(CancellationToken ct)
                {
                    await [|_loop.WaitAsync(ct)|];
                }
            """ },
        { "a task field whose disposal also waits with a token (a shield too, not a join)", """
                private Task _loop = Task.CompletedTask;

                async Task WaitAsync(CancellationToken ct)
                {
                    await [|_loop.WaitAsync(ct)|];
                }

                async ValueTask DisposeAsync()
                {
                    await [|_loop.WaitAsync(Aio.CancellationToken)|];
                }
            """ },
        { "work started here is not joined by the owner's disposal of another task", """
                private Task _loop = Task.CompletedTask;

                async Task M(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(ct)|];
                }

                async ValueTask DisposeAsync() => await _loop;
            """ },
        { "a catch that only cancels (asks the work to stop) does not end it", """
                private readonly CancellationTokenSource _stop = new();
                private Task _loop = Task.CompletedTask;

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await [|_loop.WaitAsync(ct)|];
                    }
                    catch (OperationCanceledException)
                    {
                        _stop.Cancel();
                    }
                }
            """ },
        { "a catch that closes what the caller passed, not the object's own", """
                private Task _loop = Task.CompletedTask;

                async Task M(Stream stream, CancellationToken ct)
                {
                    try
                    {
                        await [|_loop.WaitAsync(ct)|];
                    }
                    catch
                    {
                        stream.Dispose();
                        throw;
                    }
                }
            """ },
        { "a catch that the cancellation does not reach", """
                private readonly Stream _socket = Stream.Null;
                private Task _loop = Task.CompletedTask;

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await [|_loop.WaitAsync(ct)|];
                    }
                    catch (IOException)
                    {
                        _socket.Dispose();
                        throw;
                    }
                }
            """ },
        { "a teardown of the object's own socket after work started here", """
                private readonly Stream _socket = Stream.Null;

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await [|WorkAsync().WaitAsync(ct)|];
                    }
                    catch
                    {
                        _socket.Dispose();
                        throw;
                    }
                }
            """ },
        { "a read started here, which could be given the token itself", """
                async Task<int> M(CancellationToken ct) => await [|GetAsync().WaitAsync(ct)|];
            """ },
        { "a pending task field that is also filled by a write", """
                private Task<int>? _pending;

                void Prefetch() => _pending = GetAsync();

                void Save() => _pending = SaveAsync();

                static Task<int> SaveAsync() => Task.FromResult(1);

                async Task<int> M(CancellationToken ct) => _pending is { } pending ? await [|pending.WaitAsync(ct)|] : 0;
            """ },
        { "a pending read that is not waited for its value", """
                private Task<int>? _pending;

                void Prefetch() => _pending = GetAsync();

                async Task M(CancellationToken ct)
                {
                    if (_pending is { } pending)
                        await [|pending.WaitAsync(ct)|];
                }
            """ },
    };

    private static readonly Dictionary<string, string> NotReported = new()
    {
        { "WaitAsync with CancellationToken.None and default", """
                async Task M()
                {
                    await WorkAsync().WaitAsync(CancellationToken.None);
                    await WorkAsync().WaitAsync(default(CancellationToken));
                }
            """ },
        { "WaitAsync with a timeout only", """
                async Task M()
                {
                    await WorkAsync().WaitAsync(TimeSpan.FromSeconds(1));
                }
            """ },
        { "ShutdownWaitsFor", """
                async Task M()
                {
                    await Aio.ShutdownWaitsFor(WorkAsync());
                    int n = await Aio.ShutdownWaitsFor(_ => GetAsync());
                }
            """ },
        { "executor work is tracked", """
                async Task M(CancellationToken ct)
                {
                    await Aio.RunInExecutor(() => 1).WaitAsync(ct);
                }
            """ },
        { "an AioTask is tracked", """
                async Task M(CancellationToken ct)
                {
                    await Aio.CreateTask(WorkAsync).AsTask().WaitAsync(ct);
                }
            """ },
        { "WhenAny with a delay and no token (a timeout)", """
                async Task M()
                {
                    await Task.WhenAny(WorkAsync(), Task.Delay(1000));
                }
            """ },
        { "WhenAny with Aio.Sleep given None", """
                async Task M()
                {
                    await Task.WhenAny(WorkAsync(), Aio.Sleep(1.0, CancellationToken.None));
                }
            """ },
        { "WhenAny of two works", """
                async Task M()
                {
                    await Task.WhenAny(WorkAsync(), GetAsync());
                }
            """ },
        { "synchronous method: not on the loop", """
                Task M(CancellationToken ct) => WorkAsync().WaitAsync(ct);
            """ },
        { "inside a RunInExecutor lambda", """
                async Task M(CancellationToken ct)
                {
                    await Aio.RunInExecutor(() => WorkAsync().WaitAsync(ct).Wait());
                }
            """ },
        { "WhenAll awaited directly", """
                async Task M()
                {
                    await Task.WhenAll(WorkAsync(), GetAsync());
                }
            """ },
        { "WhenAny whose only work is tracked", """
                async Task M(CancellationToken ct)
                {
                    await Task.WhenAny(Aio.RunInExecutor(() => 1), Task.Delay(-1, ct));
                }
            """ },
        { "WhenAny over a list", """
                async Task M(List<Task> tasks)
                {
                    await Task.WhenAny(tasks);
                }
            """ },
        { "a WaitAsync that is not Task's", """
                async Task M(SemaphoreSlim gate, CancellationToken ct)
                {
                    await gate.WaitAsync(ct);
                }
            """ },
        { "a shield in a field initializer's lambda", """
                static readonly Func<CancellationToken, Task> Shielded = ct => WorkAsync().WaitAsync(ct);
            """ },
        { "nameof", """
                async Task M()
                {
                    string name = nameof(Task.WaitAsync);
                    await Task.Yield();
                }
            """ },
        { "a timeout race: the delay's token is the function's own, only to stop the timer", """
                async Task<bool> M(Task work, int timeoutMs)
                {
                    var cts = new CancellationTokenSource();
                    if (work == await Task.WhenAny(work, Task.Delay(timeoutMs, cts.Token)))
                    {
                        cts.Cancel();
                        return true;
                    }

                    return false;
                }
            """ },
        { "waiting for a TaskCompletionSource's task leaves no work behind", """
                private readonly TaskCompletionSource<bool> _confirmed = new();

                async Task M(CancellationToken token)
                {
                    await _confirmed.Task.WaitAsync(token);
                }
            """ },
        { "a task field that the object's disposal awaits (joined by its owner)", """
                private readonly List<Task> _attempts = new();

                async Task<bool> PollAsync(TimeSpan delay, CancellationToken ct)
                {
                    var any = Task.WhenAny(_attempts);
                    await any.WaitAsync(delay, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return any.IsCompleted;
                }

                async ValueTask DisposeAsync()
                {
                    foreach (Task attempt in _attempts)
                    {
                        await attempt.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }
                }
            """ },
        { "a task held through a helper of the same type, joined by Close through WhenAll", """
                private Task _reader = Task.CompletedTask;
                private Task _writer = Task.CompletedTask;

                private Task Either() => Task.WhenAny(_reader, _writer);

                async Task M(CancellationToken ct)
                {
                    Task either = Either();
                    await Task.WhenAny(either, Task.Delay(Timeout.Infinite, ct));
                }

                async Task CloseAsync() => await Task.WhenAll(_reader, _writer);
            """ },
        { "a task field awaited in the finally around the shield", """
                private Task _loop = Task.CompletedTask;

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await _loop.WaitAsync(ct);
                    }
                    finally
                    {
                        await _loop;
                    }
                }
            """ },
        { "a catch that closes the object's own socket, which ends its loop", """
                private readonly Stream _socket = Stream.Null;
                private Task _loop = Task.CompletedTask;

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await _loop.WaitAsync(ct);
                    }
                    catch
                    {
                        await _socket.DisposeAsync();
                        throw;
                    }
                }
            """ },
        { "a finally that disposes the object itself", """
                private Task _loop = Task.CompletedTask;

                void Dispose() { }

                async Task M(CancellationToken ct)
                {
                    try
                    {
                        await _loop.WaitAsync(ct);
                    }
                    finally
                    {
                        Dispose();
                    }
                }
            """ },
        { "a pending read the object keeps, waited for its value", """
                private Task<int>? _pending;

                void Prefetch(bool more) => _pending = more ? GetAsync() : null;

                async Task<int> M(CancellationToken ct)
                {
                    if (_pending is not { } pending)
                        return 0;

                    int value = await pending.WaitAsync(ct);
                    return value;
                }
            """ },
    };

    public static TheoryData<string> ReportedCases => new(Reported.Keys);

    [Theory]
    [MemberData(nameof(ReportedCases))]
    public Task Shields_on_the_loop_are_reported(string name) => Verify.VerifyAsync(InClass(Reported[name], Helpers));

    public static TheoryData<string> NotReportedCases => new(NotReported.Keys);

    [Theory]
    [MemberData(nameof(NotReportedCases))]
    public Task Tracked_or_uncancellable_waits_are_not_reported(string name) => Verify.VerifyAsync(InClass(NotReported[name], Helpers));

    [Fact]
    public Task Nothing_is_reported_without_a_reference_to_AioRun() => Verify.Create("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(Task work, CancellationToken ct) => await work.WaitAsync(ct);
        }
        """, referenceAioRun: false).RunAsync();

    [Fact]
    public Task The_message_names_the_shield() => Verify.VerifyAsync(
        InClass("""
                async Task M(CancellationToken ct)
                {
                    await {|#0:WorkAsync().WaitAsync(ct)|};
                }
            """, Helpers),
        new DiagnosticResult("AIO002", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'WaitAsync' with a token lets the caller stop waiting while the work goes on, but the shutdown does not wait for that work (use Aio.ShutdownWaitsFor)"));

    // ---------------------------------------------------------------- code fixes

    [Fact]
    public Task WaitAsync_becomes_ShutdownWaitsFor_and_a_timeout_stays() => Fix.VerifyAsync(
        InClass("""
                async Task<int> M(CancellationToken ct)
                {
                    await [|WorkAsync().WaitAsync(ct)|];
                    await [|WorkAsync().WaitAsync(TimeSpan.FromSeconds(5), ct)|].ConfigureAwait(false);
                    return await [|GetAsync().WaitAsync(ct)|]; // the result
                }
            """, Helpers),
        InClass("""
                async Task<int> M(CancellationToken ct)
                {
                    await Aio.ShutdownWaitsFor(WorkAsync());
                    await Aio.ShutdownWaitsFor(WorkAsync()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                    return await Aio.ShutdownWaitsFor(GetAsync()); // the result
                }
            """, Helpers));

    [Fact]
    public Task An_awaited_WhenAny_with_an_endless_delay_becomes_ShutdownWaitsFor() => Fix.VerifyAsync(
        InClass("""
                async Task M(CancellationToken ct)
                {
                    await [|Task.WhenAny(WorkAsync(), Task.Delay(Timeout.Infinite, ct))|];
                    await [|Task.WhenAny(Aio.Sleep(double.PositiveInfinity), Task.WhenAll(WorkAsync(), GetAsync()))|];
                }
            """, Helpers),
        InClass("""
                async Task M(CancellationToken ct)
                {
                    await Aio.ShutdownWaitsFor(WorkAsync());
                    await Aio.ShutdownWaitsFor(Task.WhenAll(WorkAsync(), GetAsync()));
                }
            """, Helpers));

    [Fact]
    public Task No_fix_when_the_winner_is_used_or_the_token_is_named() => Fix.VerifyNoFixAsync(InClass("""
            async Task M(CancellationToken ct)
            {
                Task winner = await [|Task.WhenAny(WorkAsync(), Task.Delay(-1, ct))|];
                await [|Task.WhenAny(WorkAsync(), Task.Delay(5000, ct))|];
                await [|WorkAsync().WaitAsync(cancellationToken: ct)|];
            }
        """, Helpers));

    [Fact]
    public Task Fix_all_in_a_solution_fixes_every_document() => Fix.VerifyAsync(
        new[]
        {
            InClass("""
                    async Task A(CancellationToken ct) => await [|WorkAsync().WaitAsync(ct)|];
                """, Helpers),
            Usings + """
                partial class C
                {
                    async Task B(CancellationToken ct)
                    {
                        await [|Task.WhenAny(GetAsync(), Task.Delay(-1, ct))|];
                    }
                }

                """,
        },
        new[]
        {
            InClass("""
                    async Task A(CancellationToken ct) => await Aio.ShutdownWaitsFor(WorkAsync());
                """, Helpers),
            Usings + """
                partial class C
                {
                    async Task B(CancellationToken ct)
                    {
                        await Aio.ShutdownWaitsFor(GetAsync());
                    }
                }

                """,
        });
}
