namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// (3) <c>CreateTask</c> + completion: time and bytes per task, against a bare <c>async Task</c>
/// method with the same body (<c>await Task.Yield()</c>), both run on the loop until every body
/// ran and every tracked task is done.
/// </summary>
internal static class TaskBenchmarks
{
    public const string Scenario = "(3) task: create, run (await Task.Yield()), complete";
    public const string BareWithToken = "bare async Task Body(CancellationToken)";
    public const string TrackedWithToken = "CreateTask(Func<CancellationToken, Task>)";
    public const string Bare = "bare async Task Body()";
    public const string Tracked = "CreateTask(Func<Task>)";

    public const string Breakdown = "(3) allocation breakdown of one tracked task";

    private static long s_done;

    public static void Run(Harness harness)
    {
        var loop = new AioLoop();
        harness.Measure(Scenario, BareWithToken, ops => RunOnLoop(loop, ops, static () => _ = BodyWithToken(CancellationToken.None)));
        harness.Measure(Scenario, TrackedWithToken, ops => RunOnLoop(loop, ops, () => loop.CreateTask(static ct => BodyWithToken(ct))));
        harness.Measure(Scenario, Bare, ops => RunOnLoop(loop, ops, static () => _ = Body()));
        harness.Measure(Scenario, Tracked, ops => RunOnLoop(loop, ops, () => loop.CreateTask(static () => Body())));
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

    private static void Done() => s_done++;

    private static Sample RunOnLoop(AioLoop loop, long ops, Action start)
    {
        s_done = 0;
        Action createAll = () =>
        {
            for (long i = 0; i < ops; i++)
            {
                start();
            }
        };
        Func<bool> pending = () => s_done < ops || loop.PendingTaskCount > 0;
        loop.CallSoon(createAll);

        // Every thread's allocations count: a task's bookkeeping must not hide on another thread.
        Sample sample = Sample.AllThreads(ops, () => loop.RunWhile(pending, Timeout.InfiniteTimeSpan));
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
        harness.Measure(Breakdown, "AioTask object", ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                _ = new AioTask(loop, work, null, string.Empty, 0, isProtected: false);
            }
        }));
        harness.Measure(Breakdown, "its CancellationTokenSource (token overload)", ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                _ = new CancellationTokenSource().Token;
            }
        }));
        var current = new AsyncLocal<object?>();
        object value = new();
        harness.Measure(Breakdown, "ExecutionContext for Aio.CurrentTask (AsyncLocal set)", ops => Sample.OnThisThread(ops, () =>
        {
            for (long i = 0; i < ops; i++)
            {
                current.Value = value;
                current.Value = null;
            }
        }));
        loop.Close();
    }
}
