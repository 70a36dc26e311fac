using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// (4) N tasks sleeping on the loop's timers (<c>Aio.Sleep</c>), then all cancelled: the time to
/// cancel them and run the loop until every one is done. Two ways: as user code does it (cancel
/// each, then await them all, asyncio's <c>cancel()</c> + <c>gather</c>), and as the shutdown
/// does it (phases 4 and 5 of <see cref="AioProgram"/>). The time to create and start the tasks
/// is reported beside it.
/// </summary>
/// <remarks>
/// Each task's work is an <c>async</c> method awaiting <c>Aio.Sleep</c>, so cancelling it throws an
/// <see cref="OperationCanceledException"/> in that method, as asyncio raises <c>CancelledError</c> in its
/// sleep coroutine; nearly all of the time is .NET's exception handling. A third subject, reported but not
/// judged, hands <c>Aio.Sleep</c>'s task to <c>CreateTask</c> directly: no method to throw through, so it shows
/// what AioRun itself costs. A full GC runs between the setup and the measured phase, outside the
/// timing: the sleeping tasks are then in the old generation, where tasks that have slept for a while
/// are; otherwise the measured phase would also pay for promoting the 100,000 tasks created just before.
/// </remarks>
internal static class SleepCancelBenchmarks
{
    public static string Scenario(int tasks) => $"(4) {tasks:N0} sleeping tasks: cancel all + drain";

    public static string SetupScenario(int tasks) => $"(4) {tasks:N0} sleeping tasks: create + start";

    public const string UserCode = "AioLoop: Cancel() each + await Task.WhenAll";
    public const string ShutdownPhases = "AioLoop: shutdown phases 4+5";
    public const string NoBody = "AioLoop: same + WhenAll, work () => Aio.Sleep(..)";

    public static void Run(Harness harness, int tasks)
    {
        Sample lastSetup = default;
        var setups = new List<Sample>();
        harness.MeasureFixed(Scenario(tasks), UserCode, tasks, () =>
        {
            (Sample setup, Sample cancel) = RunRound(tasks, viaShutdown: false);
            setups.Add(setup);
            lastSetup = setup;
            return cancel;
        });
        harness.MeasureFixed(Scenario(tasks), ShutdownPhases, tasks, () => RunRound(tasks, viaShutdown: true).CancelAndDrain);
        harness.MeasureFixed(Scenario(tasks), NoBody, tasks, () => RunRound(tasks, viaShutdown: false, SleepDirectly).CancelAndDrain);
        if (setups.Count > 1)
        {
            // The first round was the warm-up.
            Sample[] measured = setups.Skip(1).ToArray();
            harness.Add(new Result(SetupScenario(tasks), "AioLoop: CreateTask + first turn", tasks, measured.Select(s => s.NsPerOp).ToArray(), measured.Select(s => s.BytesPerOp).ToArray(), measured.Select(s => s.CpuNsPerOp).ToArray()) { ReportsTotal = true });
        }
    }

    private static async Task Sleeper() => await Aio.Sleep(3600);

    private static Task SleepDirectly() => Aio.Sleep(3600);

    private static (Sample Setup, Sample CancelAndDrain) RunRound(int count, bool viaShutdown, Func<Task>? work = null)
    {
        work ??= Sleeper;
        var loop = new AioLoop { Logger = NullLogger.Instance };
        using var program = viaShutdown ? new AioProgram() : null;
        program?.UseLoop(loop);

        var tasks = new AioTask[count];
        Sample setup = Sample.OnThisThread(count, () =>
        {
            loop.CallSoon(() =>
            {
                for (int i = 0; i < tasks.Length; i++)
                {
                    tasks[i] = loop.CreateTask(work);
                }

                // Runs after every task started: they were queued first.
                loop.CallSoon(loop.Stop);
            });
            loop.RunForever();
        });
        if (loop.PendingTaskCount != count)
        {
            throw new InvalidOperationException($"{loop.PendingTaskCount} of {count} tasks are sleeping.");
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Sample cancelAndDrain;
        if (program is not null)
        {
            program.EnterShutdownPhase();
            cancelAndDrain = Sample.OnThisThreadCountingAllAllocations(count, () =>
            {
                program.CancelPendingTasks();
                if (!program.RunPendingTasksTillComplete())
                {
                    throw new InvalidOperationException("The shutdown timed out.");
                }
            });
        }
        else
        {
            long start = 0, end = 0, bytes = 0;
            double cpu = 0;
            AioTask gatherer = loop.CreateTask(async () =>
            {
                // Everything runs on the loop thread (its CPU time is the cost); allocations are counted on every
                // thread all the same, so that nothing the cancellation does elsewhere hides.
                bytes = GC.GetTotalAllocatedBytes(precise: true);
                cpu = ThreadCpuTime.Now();
                start = Stopwatch.GetTimestamp();
                foreach (AioTask task in tasks)
                {
                    task.Cancel();
                }

                await Task.WhenAll(tasks.Select(t => t.AsTask()))
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                end = Stopwatch.GetTimestamp();
                cpu = ThreadCpuTime.Now() - cpu;
                bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            });
            loop.RunUntilComplete(gatherer);
            cancelAndDrain = new Sample(count, Stopwatch.GetElapsedTime(start, end), bytes, cpu);
        }

        if (loop.PendingTaskCount != 0 || !tasks.All(t => t.IsCancelled))
        {
            throw new InvalidOperationException("Not every sleeping task ended cancelled.");
        }

        if (program is not null)
        {
            program.Close();
        }
        else
        {
            loop.Close();
        }

        return (setup, cancelAndDrain);
    }
}
