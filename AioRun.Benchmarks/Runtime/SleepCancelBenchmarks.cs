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
internal static class SleepCancelBenchmarks
{
    public static string Scenario(int tasks) => $"(4) {tasks:N0} sleeping tasks: cancel all + drain";

    public static string SetupScenario(int tasks) => $"(4) {tasks:N0} sleeping tasks: create + start";

    public const string UserCode = "AioLoop: Cancel() each + await Task.WhenAll";
    public const string ShutdownPhases = "AioLoop: shutdown phases 4+5";

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
        if (setups.Count > 1)
        {
            // The first round was the warm-up.
            Sample[] measured = setups.Skip(1).ToArray();
            harness.Add(new Result(SetupScenario(tasks), "AioLoop: CreateTask + first turn", tasks, measured.Select(s => s.NsPerOp).ToArray(), measured.Select(s => s.BytesPerOp).ToArray(), measured.Select(s => s.CpuNsPerOp).ToArray()) { ReportsTotal = true });
        }
    }

    private static async Task Sleeper() => await Aio.Sleep(3600);

    private static (Sample Setup, Sample CancelAndDrain) RunRound(int count, bool viaShutdown)
    {
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
                    tasks[i] = loop.CreateTask(Sleeper);
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
            AioTask gatherer = loop.CreateTask(async () =>
            {
                // Task.WhenAll completes on the thread pool: count every thread's allocations.
                bytes = GC.GetTotalAllocatedBytes(precise: true);
                start = Stopwatch.GetTimestamp();
                foreach (AioTask task in tasks)
                {
                    task.Cancel();
                }

                await Task.WhenAll(tasks.Select(t => t.AsTask()))
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                end = Stopwatch.GetTimestamp();
                bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            });
            loop.RunUntilComplete(gatherer);
            cancelAndDrain = new Sample(count, Stopwatch.GetElapsedTime(start, end), bytes);
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
