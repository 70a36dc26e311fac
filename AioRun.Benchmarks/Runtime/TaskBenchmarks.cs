namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// (3) <c>CreateTask</c> + completion: time and bytes per task, against a bare <c>async Task</c>
/// method with the same body (<c>await Task.Yield()</c>), both run on the loop until every body ran
/// and every tracked task is done. Two shapes: one task at a time (each one's end starts the next),
/// and waves of 1,000 tasks in flight together.
/// </summary>
internal static class TaskBenchmarks
{
    public const string BareWithToken = "bare async Task Body(CancellationToken)";
    public const string TrackedWithToken = "CreateTask(Func<CancellationToken, Task>)";
    public const string Bare = "bare async Task Body()";
    public const string Tracked = "CreateTask(Func<Task>)";

    public const string Breakdown = "(3) allocation breakdown of one tracked task";
    public const string PartTask = "AioTask object";
    public const string PartSource = "CancellationTokenSource (token overload only)";
    public const string PartContext = "ExecutionContext for Aio.CurrentTask (AsyncLocal set)";
    public const string PartContinuation = "completion continuation on the loop's context";
    public const string PartHook = "completion hook, when the pool of 1,024 is empty";

    public static readonly int[] Widths = [1, 1_000];

    private static long s_done;
    private static long s_target;
    private static int s_width;
    private static Action? s_startWave;

    public static string Scenario(int width) => width == 1
        ? "(3) task: create, await Task.Yield(), complete; one at a time"
        : $"(3) task: create, await Task.Yield(), complete; {width:N0} at once";

    public static void Run(Harness harness)
    {
        var loop = new AioLoop();
        foreach (int width in Widths)
        {
            string scenario = Scenario(width);
            harness.Measure(scenario, BareWithToken, ops => RunOnLoop(loop, ops, width, static () => _ = BodyWithToken(CancellationToken.None)));
            harness.Measure(scenario, TrackedWithToken, ops => RunOnLoop(loop, ops, width, () => loop.CreateTask(static ct => BodyWithToken(ct))));
            harness.Measure(scenario, Bare, ops => RunOnLoop(loop, ops, width, static () => _ = Body()));
            harness.Measure(scenario, Tracked, ops => RunOnLoop(loop, ops, width, () => loop.CreateTask(static () => Body())));
        }

        loop.Close();
        MeasureBreakdown(harness);
    }

    private static async Task BodyWithToken(CancellationToken cancellationToken)
    {
        await Task.Yield();
        Done();
    }

    private static async Task Body()
    {
        await Task.Yield();
        Done();
    }

    private static void Done()
    {
        if (++s_done % s_width == 0 && s_done < s_target)
        {
            AioLoop.Current.CallSoon(s_startWave!);
        }
    }

    private static Sample RunOnLoop(AioLoop loop, long ops, int width, Action startOne)
    {
        ops = (ops + width - 1) / width * width;
        s_done = 0;
        s_target = ops;
        s_width = width;
        s_startWave = () =>
        {
            for (int i = 0; i < width; i++)
            {
                startOne();
            }
        };
        Func<bool> pending = () => s_done < ops || loop.PendingTaskCount > 0;
        loop.CallSoon(s_startWave);

        // Every thread's allocations count: a task's bookkeeping must not hide on another thread.
        Sample sample = Sample.OnThisThreadCountingAllAllocations(ops, () => loop.RunWhile(pending, Timeout.InfiniteTimeSpan));
        if (s_done != ops || loop.PendingTaskCount != 0)
        {
            throw new InvalidOperationException($"The task benchmark ended with {s_done} of {ops} bodies done and {loop.PendingTaskCount} tasks still tracked.");
        }

        return sample;
    }

    /// <summary>What each object of a tracked task costs, measured one kind at a time.</summary>
    private static void MeasureBreakdown(Harness harness)
    {
        var loop = new AioLoop();
        Func<CancellationToken, Task> work = static ct => Task.CompletedTask;
        harness.Measure(Breakdown, PartTask, ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                _ = new AioTask(loop, work, null, string.Empty, 0, isProtected: false);
            }
        }));
        harness.Measure(Breakdown, PartSource, ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                _ = new CancellationTokenSource().Token;
            }
        }));
        var current = new AsyncLocal<object?>();
        object value = new();
        harness.Measure(Breakdown, PartContext, ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                current.Value = value;
                current.Value = null;
            }
        }));
        harness.Measure(Breakdown, PartContinuation, ops => ContinuationCost(loop, ops));
        harness.Measure(Breakdown, PartHook, ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                _ = new TaskCompletionHook();
            }
        }));
        loop.Close();
    }

    /// <summary>
    /// Hooks a continuation to a pending task on the loop (the loop is the SynchronizationContext), as
    /// <c>AioTask.Start</c> does, and subtracts the cost of the pending task itself.
    /// </summary>
    private static Sample ContinuationCost(AioLoop loop, long ops)
    {
        Action continuation = static () => { };
        Sample withContinuation = default, withoutContinuation = default;
        loop.CallSoon(() =>
        {
            withContinuation = Sample.OnThisThread(ops, () =>
            {
                for (long i = 0; i < ops; i++)
                {
                    new TaskCompletionSource().Task.GetAwaiter().UnsafeOnCompleted(continuation);
                }
            });
            withoutContinuation = Sample.OnThisThread(ops, () =>
            {
                for (long i = 0; i < ops; i++)
                {
                    _ = new TaskCompletionSource().Task;
                }
            });
            loop.Stop();
        });
        loop.RunForever();
        return withContinuation with
        {
            Elapsed = withContinuation.Elapsed - withoutContinuation.Elapsed,
            Bytes = withContinuation.Bytes - withoutContinuation.Bytes,
            CpuNs = withContinuation.CpuNs - withoutContinuation.CpuNs,
        };
    }
}
