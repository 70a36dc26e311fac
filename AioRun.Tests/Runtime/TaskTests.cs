using Xunit;

namespace AioRun.Tests.Runtime;

public class TaskTests
{
    [Fact]
    public void A_task_is_tracked_until_it_is_done()
    {
        using var t = new TestLoop();
        var gate = new TaskCompletionSource();
        AioTask task = t.Loop.CreateTask(async () => await gate.Task, "worker");

        Assert.Same(task, Assert.Single(t.Loop.AllTasks()));
        t.Loop.CallSoon(() => gate.SetResult());
        t.Loop.RunUntilComplete(task);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Empty(t.Loop.AllTasks());
    }

    [Fact]
    public void The_work_starts_in_the_next_turn_not_inside_CreateTask()
    {
        using var t = new TestLoop();
        var order = new List<string>();
        t.Run(async () =>
        {
            AioTask child = Aio.CreateTask(() =>
            {
                order.Add("child runs");
                return Task.CompletedTask;
            });
            order.Add("after CreateTask");
            await child;
        });

        Assert.Equal(new[] { "after CreateTask", "child runs" }, order);
    }

    [Fact]
    public void Awaiting_a_task_gives_its_result_its_failure_or_its_cancellation()
    {
        using var t = new TestLoop();
        t.Run(async () =>
        {
            Assert.Equal(3, await Aio.CreateTask(async () =>
            {
                await Task.Yield();
                return 3;
            }));

            var failure = await Assert.ThrowsAsync<FormatException>(async () => await Aio.CreateTask(async () =>
            {
                await Task.Yield();
                throw new FormatException("inner");
            }));
            Assert.Equal("inner", failure.Message);

            AioTask sleeper = Aio.CreateTask(() => Aio.Sleep(double.PositiveInfinity), "sleeper");
            await Task.Yield();
            sleeper.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sleeper);
            Assert.True(sleeper.IsCancelled);
        });
    }

    [Fact]
    public void Names_default_to_Task_N_and_the_creation_site_is_the_calling_line()
    {
        using var t = new TestLoop();
        AioTask unnamed = t.Loop.CreateTask(() => Task.CompletedTask); int line = LineOfThis();
        AioTask named = t.Loop.CreateTask(() => Task.CompletedTask, "named");

        Assert.Matches(@"^Task-\d+$", unnamed.Name);
        Assert.Equal("named", named.Name);
        Assert.EndsWith("TaskTests.cs", unnamed.CreationFile, StringComparison.Ordinal);
        Assert.Equal(line, unnamed.CreationLine);
        Assert.Equal(unnamed.CreationFile + ":" + line, unnamed.CreationSite);
        Assert.Contains("'named' (pending, created at", named.ToString(), StringComparison.Ordinal);

        static int LineOfThis([System.Runtime.CompilerServices.CallerLineNumber] int l = 0) => l;
    }

    [Fact]
    public void A_task_cancelled_before_it_starts_never_runs()
    {
        using var t = new TestLoop();
        bool ran = false;
        AioTask task = t.Loop.CreateTask(() =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.True(task.Cancel());
        Assert.ThrowsAny<OperationCanceledException>(() => t.Loop.RunUntilComplete(task));

        Assert.False(ran);
        Assert.True(task.IsCancelled);
        Assert.False(task.Cancel());
    }

    [Fact]
    public void Cancelling_a_running_task_cancels_its_token_and_its_awaits_throw()
    {
        using var t = new TestLoop();
        CancellationToken seen = default;
        bool sawCancellation = false;
        AioTask worker = t.Loop.CreateTask(async token =>
        {
            seen = token;
            try
            {
                await Aio.Sleep(3600);
            }
            catch (OperationCanceledException)
            {
                sawCancellation = true;
                throw;
            }
        });

        t.Run(async () =>
        {
            await Task.Yield();
            worker.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await worker);
        });

        Assert.True(seen.IsCancellationRequested);
        Assert.True(sawCancellation);
        Assert.True(worker.IsCancelled);
        Assert.False(worker.IsFaulted);
    }

    [Fact]
    public void A_task_that_ends_by_OperationCanceledException_without_being_cancelled_has_failed()
    {
        using var t = new TestLoop();
        t.Loop.SetExceptionHandler((_, _) => { });
        AioTask timeout = t.Loop.CreateTask(async () =>
        {
            await Task.Yield();
            throw new TaskCanceledException("an HTTP timeout, not our cancellation");
        });

        Assert.Throws<TaskCanceledException>(() => t.Loop.RunUntilComplete(timeout));
        Assert.True(timeout.IsFaulted);
        Assert.IsType<TaskCanceledException>(timeout.Exception);
    }

    [Fact]
    public void Work_that_throws_synchronously_or_returns_null_fails_the_task_with_a_clear_error()
    {
        using var t = new TestLoop();
        AioTask throws = t.Loop.CreateTask(() => throw new FormatException("sync"));
        AioTask returnsNull = t.Loop.CreateTask(() => null!, "null-work");

        Assert.Throws<FormatException>(() => t.Loop.RunUntilComplete(throws));
        var error = Assert.Throws<InvalidOperationException>(() => t.Loop.RunUntilComplete(returnsNull));
        Assert.Contains("'null-work'", error.Message, StringComparison.Ordinal);
        Assert.Contains("returned null instead of a Task", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ambient_token_is_the_current_tasks_and_flows_through_awaits_even_off_the_loop()
    {
        using var t = new TestLoop();
        var observed = new List<(string Where, bool IsTasksToken)>();
        AioTask? task = null;
        task = t.Loop.CreateTask(async token =>
        {
            observed.Add(("start", Aio.CancellationToken == token && Aio.CurrentTask == task));
            await Task.Yield();
            observed.Add(("after yield", Aio.CancellationToken == token));
            await Helper();
            await Task.Delay(1).ConfigureAwait(false);
            observed.Add(("off the loop", Aio.CancellationToken == token && Aio.CurrentTask == task));

            async Task Helper()
            {
                await Task.Yield();
                observed.Add(("in a called method", Aio.CancellationToken == token));
            }
        });

        t.Loop.RunUntilComplete(task);

        Assert.Equal(4, observed.Count);
        Assert.All(observed, o => Assert.True(o.IsTasksToken, o.Where));
        Assert.Equal(CancellationToken.None, Aio.CancellationToken);
        Assert.Null(Aio.CurrentTask);
    }

    [Fact]
    public void Each_task_sees_its_own_token_and_callbacks_see_none()
    {
        using var t = new TestLoop();
        CancellationToken inCallback = new(canceled: true);
        t.Run(async () =>
        {
            AioTask a = Aio.CreateTask(async () =>
            {
                CancellationToken mine = Aio.CancellationToken;
                await Task.Yield();
                Assert.Equal(mine, Aio.CancellationToken);
            }, "a");
            AioTask b = Aio.CreateTask(async () =>
            {
                await Task.Yield();
                Assert.NotEqual(a.CancellationToken, Aio.CancellationToken);
            }, "b");
            t.Loop.CallSoon(() => inCallback = Aio.CancellationToken);
            await a;
            await b;
        });

        Assert.Equal(CancellationToken.None, inCallback);
    }

    [Fact]
    public void A_failed_task_nobody_awaits_goes_to_the_exception_handler_with_the_task()
    {
        using var t = new TestLoop();
        var contexts = new List<AioExceptionContext>();
        t.Loop.SetExceptionHandler((_, c) => contexts.Add(c));

        t.Run(async () =>
        {
            AioTask orphan = Aio.CreateTask(async () =>
            {
                await Task.Yield();
                throw new FormatException("nobody listens");
            }, "orphan");
            AioTask awaited = Aio.CreateTask(async () =>
            {
                await Task.Yield();
                throw new FormatException("handled by the awaiter");
            }, "awaited");
            await Assert.ThrowsAsync<FormatException>(async () => await awaited);
            while (!orphan.IsDone)
            {
                await Task.Yield();
            }
        });

        AioExceptionContext context = Assert.Single(contexts);
        Assert.Equal("orphan", context.Task!.Name);
        Assert.Equal("nobody listens", context.Exception!.Message);
        Assert.Contains("task 'orphan' created at", context.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void AsTask_mirrors_the_outcome_for_WhenAll()
    {
        using var t = new TestLoop();
        int[] results = t.Run(async () =>
        {
            AioTask<int> a = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                return 1;
            });
            AioTask<int> b = Aio.CreateTask(async () =>
            {
                await Task.Yield();
                return 2;
            });
            return await Task.WhenAll(a.AsTask(), b.AsTask());
        });

        Assert.Equal(new[] { 1, 2 }, results);
    }

    [Fact]
    public async Task A_task_can_be_awaited_from_a_thread_that_is_not_the_loop()
    {
        using var t = new TestLoop();
        var gate = new TaskCompletionSource();
        AioTask<int> task = t.Loop.CreateTask(async () =>
        {
            await gate.Task;
            return 9;
        });
        int fromOutside = 0;
        var outside = Task.Run(async () =>
        {
            fromOutside = await task;
            t.Loop.CallSoonThreadsafe(t.Loop.Stop);
        });
        t.Loop.CallSoon(() => gate.SetResult());

        t.Loop.RunForever();
        await outside;

        Assert.Equal(9, fromOutside);
    }

    [Fact]
    public void A_task_created_from_another_thread_while_the_loop_runs_is_tracked_and_runs_on_the_loop()
    {
        using var t = new TestLoop();
        int ranOn = 0;
        AioTask? created = null;
        t.Loop.CallSoon(() => ThreadPool.QueueUserWorkItem(_ =>
        {
            created = t.Loop.CreateTask(() =>
            {
                ranOn = Environment.CurrentManagedThreadId;
                t.Loop.Stop();
                return Task.CompletedTask;
            });
        }));

        t.Loop.RunForever();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        Assert.True(created!.IsCompletedSuccessfully);
    }

    [Fact]
    public void Result_of_a_task_that_is_not_done_says_so()
    {
        using var t = new TestLoop();
        AioTask<int> task = t.Loop.CreateTask(() => Task.FromResult(1), "slow");

        var error = Assert.Throws<InvalidOperationException>(() => task.Result);
        Assert.Contains("'slow' is not done yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsTask_carries_the_task_as_its_state()
    {
        using var t = new TestLoop();
        AioTask<int> task = t.Loop.CreateTask(() => Task.FromResult(7), "seven");

        Assert.Same(task, task.AsTask().AsyncState);
        Assert.Equal(7, t.Loop.RunUntilComplete(task));
    }

    [Fact]
    public void A_failure_whose_AsTask_nobody_awaited_is_reported_when_the_GC_finds_it()
    {
        using var t = new TestLoop();
        // Only the messages: a kept context would keep the task, and the GC could never find it.
        var reported = new List<string>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add($"{c.Message}: {c.Task?.Name}: {c.Exception?.Message}"));

        FailAndDropAsTask(t.Loop, "dropped");
        while (t.Loop.PendingTaskCount > 0)
        {
            t.Loop.CallSoon(t.Loop.Stop);
            t.Loop.RunForever();
        }

        Assert.Empty(reported); // it failed, but asking for AsTask() counts as observing: nothing is reported then

        Garbage.CollectUntil(t.Loop, () => reported.Count > 0);

        Assert.Equal("Exception in a task whose AsTask() nobody awaited: dropped: failed unseen", Assert.Single(reported));
    }

    [Fact]
    public void A_failure_awaited_through_AsTask_is_not_reported_by_the_GC()
    {
        using var t = new TestLoop();
        var reported = new List<string>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c.Message));
        Assert.Throws<FormatException>(() => t.Run(() => t.Loop.CreateTask(() => throw new FormatException("seen"), "awaited").AsTask()));

        ExecutorTests.SubmitAndForget(t.Loop, () => throw new FormatException("a marker that the GC ran"));
        Garbage.CollectUntil(t.Loop, () => reported.Count > 0);

        Assert.Equal("Exception in executor work that nobody awaited", Assert.Single(reported));
    }

    [Fact]
    public void A_users_own_task_that_merely_carries_an_AioTask_as_state_is_not_reported_as_ours()
    {
        using var t = new TestLoop();
        var reported = new List<string>();
        t.Loop.SetExceptionHandler((_, c) => reported.Add(c.Message));
        AioTask<int> task = t.Loop.CreateTask(() => Task.FromResult(1), "state");
        Assert.Equal(1, t.Loop.RunUntilComplete(task)); // AsTask() exists: the task's own completion task
        FailWithState(task);

        ExecutorTests.SubmitAndForget(t.Loop, () => throw new FormatException("a marker that the GC ran"));
        Garbage.CollectUntil(t.Loop, () => reported.Count > 0);

        Assert.Equal("Exception in executor work that nobody awaited", Assert.Single(reported));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void FailWithState(AioTask state)
    {
        Task userTask = Task.Factory.StartNew(static _ => throw new FormatException("the user's own"), state, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
        Assert.True(SpinWait.SpinUntil(() => userTask.IsCompleted, TimeSpan.FromSeconds(30)));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void FailAndDropAsTask(AioLoop loop, string name) =>
        _ = loop.CreateTask(async () =>
        {
            await Task.Yield();
            throw new FormatException("failed unseen");
        }, name).AsTask();
}
