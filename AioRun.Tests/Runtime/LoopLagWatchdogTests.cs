using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>
/// The loop-lag watchdog, for real: callbacks that hold the loop thread (until the test has seen the warning that names
/// them, so no test waits on a guess), a busy loop and an idle one that must not be reported, and the monitor thread's life.
/// </summary>
public partial class LoopLagWatchdogTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_task_that_blocks_the_loop_is_named_with_its_creation_site_while_it_blocks_and_when_it_ends()
    {
        using var watch = new BlockWatch();
        (AioTask task, string site) = (watch.Loop.CreateTask(() => { watch.Block(); return Task.CompletedTask; }, "blocker"), Site());

        watch.Loop.RunUntilComplete(task);

        (long soFar, long ended) = watch.AssertBlockedBy($"task 'blocker' (created at {site})");
        Assert.InRange(soFar, (long)Threshold.TotalMilliseconds, ended);
    }

    [Theory]
    [InlineData("Task.Yield")]
    [InlineData("Aio.Sleep")]
    [InlineData("an AioTask")]
    [InlineData("a Task completed elsewhere")]
    public void An_await_continuation_of_a_tasks_own_method_is_named_as_that_task(string awaited)
    {
        using var watch = new BlockWatch();
        async Task BlockAfterAnAwait()
        {
            switch (awaited)
            {
                case "Task.Yield":
                    await Task.Yield();
                    break;
                case "Aio.Sleep":
                    await Aio.Sleep(0);
                    break;
                case "an AioTask":
                    await Aio.CreateTask(() => Aio.Sleep(0), "awaited");
                    break;
                default:
                    await Task.Run(() => { });
                    break;
            }

            watch.Block();
        }

        (AioTask task, string site) = (watch.Loop.CreateTask(BlockAfterAnAwait, "after-await"), Site());

        watch.Loop.RunUntilComplete(task);

        watch.AssertBlockedBy($"task 'after-await' (created at {site})");
    }

    [Fact]
    public void A_continuation_of_a_nested_async_method_is_named_by_that_method()
    {
        using var watch = new BlockWatch();
        AioTask task = watch.Loop.CreateTask(async () => await NestedBlocker(watch), "outer");

        watch.Loop.RunUntilComplete(task);

        watch.AssertBlockedBy($"async method '{nameof(LoopLagWatchdogTests)}.{nameof(NestedBlocker)}'");
    }

    [Fact]
    public void A_plain_callback_is_named_by_its_method()
    {
        using var watch = new BlockWatch();
        var blocker = new Blocker(watch);
        watch.Loop.CallSoon(blocker.HoldTheLoop);

        watch.Loop.RunForever();

        watch.AssertBlockedBy($"callback '{nameof(Blocker)}.{nameof(Blocker.HoldTheLoop)}'");
    }

    [Fact]
    public void A_busy_loop_of_short_callbacks_is_never_reported()
    {
        using var t = new TestLoop();
        t.Loop.LoopLagWarning = TimeSpan.FromMilliseconds(300);
        LoopWatchdog watchdog = t.Loop.Watchdog!;
        long start = watchdog.Samples;
        long callbacks = 0;
        void Chain()
        {
            callbacks++;
            if (watchdog.Samples < start + 10)
            {
                t.Loop.CallSoon(Chain);
            }
            else
            {
                t.Loop.Stop();
            }
        }

        t.Loop.CallSoon(Chain);
        t.Loop.RunForever();

        Assert.True(callbacks > 10_000, $"only {callbacks} callbacks ran");
        Assert.DoesNotContain(t.Logger.Lines, line => line.StartsWith("Loop blocked", StringComparison.Ordinal));
    }

    [Fact]
    public void A_loop_waiting_for_work_is_never_reported()
    {
        using var t = new TestLoop();
        t.Loop.LoopLagWarning = Threshold;
        LoopWatchdog watchdog = t.Loop.Watchdog!;
        long start = watchdog.Samples;

        // The loop waits for work until another thread has seen the watchdog sample it 20 times (a second's worth).
        var waker = new Thread(() =>
        {
            SpinWait.SpinUntil(() => watchdog.Samples >= start + 20, Patience);
            t.Loop.CallSoonThreadsafe(t.Loop.Stop);
        });
        waker.Start();
        t.Loop.RunForever();
        waker.Join();

        Assert.True(watchdog.Samples >= start + 20);
        Assert.DoesNotContain(t.Logger.Lines, line => line.StartsWith("Loop blocked", StringComparison.Ordinal));
    }

    [Fact]
    public void With_the_watchdog_off_nothing_watches_and_nothing_is_reported()
    {
        using var t = new TestLoop();
        Assert.Equal(TimeSpan.Zero, t.Loop.LoopLagWarning);
        Assert.Null(t.Loop.Watchdog);

        t.Loop.LoopLagWarning = Threshold;
        Thread monitor = t.Loop.Watchdog!.Thread;
        t.Loop.LoopLagWarning = TimeSpan.Zero;
        Assert.True(monitor.Join(Patience), "turning the watchdog off ends its thread");
        Assert.Null(t.Loop.Watchdog);

        t.Loop.CallSoon(() =>
        {
            Thread.Sleep(4 * Threshold); // blocks the loop on purpose: nobody may report it
            t.Loop.Stop();
        });
        t.Loop.RunForever();

        Assert.DoesNotContain(t.Logger.Lines, line => line.StartsWith("Loop blocked", StringComparison.Ordinal));
    }

    [Fact]
    public void The_monitor_is_a_background_thread_that_ends_when_the_loop_closes()
    {
        var loop = new AioLoop { LoopLagWarning = Threshold };
        Thread monitor = loop.Watchdog!.Thread;
        Assert.True(monitor.IsBackground);

        loop.Close();

        Assert.True(monitor.Join(Patience));
        Assert.Null(loop.Watchdog);
        loop.LoopLagWarning = Threshold;
        Assert.Null(loop.Watchdog);
    }

    [Fact]
    public void A_negative_threshold_is_refused()
    {
        using var t = new TestLoop();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => t.Loop.LoopLagWarning = TimeSpan.FromMilliseconds(-1));
        Assert.Contains("LoopLagWarning must be zero (off) or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_program_turns_the_watchdog_on_from_its_options_100_ms_by_default()
    {
        using (var program = new AioProgram())
        using (var loop = program.UseLoop(new AioLoop()))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(100), loop.LoopLagWarning);
            Assert.NotNull(loop.Watchdog);
        }

        using (var program = new AioProgram(new AioRunOptions { LoopLagWarning = TimeSpan.FromMilliseconds(250) }))
        using (var loop = program.UseLoop(new AioLoop()))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(250), loop.LoopLagWarning);
        }

        using (var program = new AioProgram(new AioRunOptions { LoopLagWarning = TimeSpan.Zero }))
        using (var loop = program.UseLoop(new AioLoop()))
        {
            Assert.Null(loop.Watchdog);
        }
    }

    [Theory]
    [InlineData("Tick", "Tick")]
    [InlineData("<Main>b__0_1", "Main (lambda)")]
    [InlineData("<Main>g__Worker|0_0", "Main.Worker")]
    [InlineData("<Worker>d__3", "Worker")]
    [InlineData("<<Main>g__Worker|0_0>d", "Main.Worker")]
    [InlineData("<<Main>b__0_0>d", "Main (lambda)")]
    public void Compiler_generated_names_read_as_the_users_methods(string generated, string readable)
    {
        Assert.Equal(readable, CallbackNames.Readable(generated, declaringType: null));
    }

    private static async Task NestedBlocker(BlockWatch watch)
    {
        await Task.Yield();
        watch.Block();
    }

    private static string Site([CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => file + ":" + line;

    private sealed class Blocker(BlockWatch watch)
    {
        public void HoldTheLoop()
        {
            watch.Block();
            watch.Loop.Stop();
        }
    }

    /// <summary>
    /// A loop with the watchdog at <see cref="Threshold"/> and a way to block it: <see cref="Block"/> holds the loop
    /// thread until the watchdog has said, while it blocks, what blocks it.
    /// </summary>
    private sealed partial class BlockWatch : IDisposable
    {
        private readonly TestLoop _test = new();
        private readonly ManualResetEventSlim _reportedWhileBlocked = new();
        private readonly ManualResetEventSlim _reportedEnded = new();

        public BlockWatch()
        {
            _test.Logger.Logged += line =>
            {
                if (SoFar().IsMatch(line))
                {
                    _reportedWhileBlocked.Set();
                }
                else if (Ended().IsMatch(line))
                {
                    _reportedEnded.Set();
                }
            };
            Loop.LoopLagWarning = Threshold;
        }

        public AioLoop Loop => _test.Loop;

        public void Block() => Assert.True(_reportedWhileBlocked.Wait(Patience), "no while-blocked warning: " + string.Join(" | ", _test.Logger.Lines));

        /// <summary>Waits for the warning that the block ended, checks both warnings name <paramref name="culprit"/>, and returns their times.</summary>
        public (long SoFarMs, long EndedMs) AssertBlockedBy(string culprit)
        {
            Assert.True(_reportedEnded.Wait(Patience), "no warning when the block ended: " + string.Join(" | ", _test.Logger.Lines));
            string[] lines = _test.Logger.Lines.Where(l => l.StartsWith("Loop blocked", StringComparison.Ordinal)).ToArray();
            Match soFar = SoFar().Match(lines[0]);
            Match ended = Ended().Match(lines[^1]);
            Assert.True(soFar.Success && ended.Success, string.Join(" | ", lines));
            Assert.Equal(culprit, soFar.Groups["culprit"].Value);
            Assert.Equal(culprit, ended.Groups["culprit"].Value);
            long soFarMs = long.Parse(soFar.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture);
            long endedMs = long.Parse(ended.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(soFarMs >= Threshold.TotalMilliseconds && endedMs >= soFarMs, string.Join(" | ", lines));
            return (soFarMs, endedMs);
        }

        public void Dispose()
        {
            _test.Dispose();
            _reportedWhileBlocked.Dispose();
            _reportedEnded.Dispose();
        }

        [GeneratedRegex(@"^Loop blocked for (?<ms>\d+) ms so far by (?<culprit>.+)$")]
        private static partial Regex SoFar();

        [GeneratedRegex(@"^Loop blocked for (?<ms>\d+) ms by (?<culprit>.+)$")]
        private static partial Regex Ended();
    }
}
