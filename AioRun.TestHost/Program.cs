// A hand-written AioRun program for the process tests: Main lines the runtime's shutdown phases up
// exactly as the generator does for [AioRunEntry], so that the tests signal the same sequence a user's
// program runs. args[0] picks a scenario; each prints READY once it is ready to be signalled, then
// lines the tests look for. The systemd-* scenarios are run with NOTIFY_SOCKET set by the tests; the stderr-*
// scenarios (StandardErrorScenarios) only write through AioLogging.Output.
using AioRun;

string scenario = args.Length > 0 ? args[0] : "service";
if (scenario.StartsWith("stderr-", StringComparison.Ordinal))
{
    return StandardErrorScenarios.Run(scenario, args);
}

var options = scenario switch
{
    "refuse" => new AioRunOptions { ShutdownTimeout = TimeSpan.FromSeconds(0.5) },
    "stop-on-unhandled" => new AioRunOptions { StopOnUnhandledErrors = true },
    "refused-handler" => new AioRunOptions { StopOnUnhandledErrors = true },
    "escalate-stubborn-task" or "escalate-hung-executor" => new AioRunOptions { EscalateOnSecondSignal = true },
    _ => new AioRunOptions { ExecutorWorkers = 2 },
};

using var program = new AioProgram(options);
program.RegisterSignalHandlers();
AioLoop loop;
try
{
    loop = program.UseLoop(new AioLoop());
    if (scenario == "refused-handler")
    {
        loop.SetExceptionHandler((_, context) => Console.WriteLine("custom handler: " + context.Message));
    }
}
catch (Exception ex)
{
    return AioProgram.ReportFatal(ex);
}

AioTask main = scenario switch
{
    "service" => loop.CreateTask(Scenarios.Service, "main"),
    "slow-cleanup" => loop.CreateTask(Scenarios.SlowCleanup, "main"),
    "refuse" => loop.CreateTask(Scenarios.Refuse, "main"),
    "stop-on-unhandled" => loop.CreateTask(Scenarios.Ouch, "main"),
    "exit-code" => loop.CreateTask<int>(Scenarios.ExitCode, "main"),
    "many-tasks" => loop.CreateTask(() => Scenarios.ManyTasks(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)), "main"),
    "shutdown-callback-fails" => loop.CreateTask(Scenarios.Service, "main"),
    "systemd" => loop.CreateTask(Scenarios.SystemdService, "main"),
    "systemd-notify-ready" => loop.CreateTask(Scenarios.NotifyReadyEarly, "main"),
    "systemd-block" => loop.CreateTask(Scenarios.BlockOnDemand, "main"),
    "report" => loop.CreateTask(Scenarios.Report, "main"),
    "escalate-stubborn-task" => loop.CreateTask(Scenarios.StubbornTask, "main"),
    "escalate-hung-executor" => loop.CreateTask(Scenarios.HungExecutor, "main"),
    _ => throw new ArgumentException($"unknown scenario '{scenario}'"),
};

program.NotifyReadyWhenDone(main);
loop.RunForever();
program.EnterShutdownPhase();
if (scenario == "shutdown-callback-fails")
{
    program.RunShutdownCallback(async _ =>
    {
        await Aio.Sleep(0.05);
        throw new InvalidOperationException("the shutdown callback failed");
    });
}

program.RunShutdownParticipants();
program.CancelPendingTasks();
program.RunPendingTasksTillComplete();
program.WaitForExecutorShutdown();
program.Close();
return program.ExitCode(main);

internal static class Scenarios
{
    /// <summary>
    /// Workers that observe cancellation, protected work, executor work; waits for a signal. The protected and
    /// the executor work only start their last stretch once the shutdown has begun, so they are still running
    /// when it does, however late the signal arrives.
    /// </summary>
    public static async Task Service()
    {
        var started = new TaskCompletionSource();
        int running = 0;
        for (int i = 1; i <= 3; i++)
        {
            int id = i;
            _ = Aio.CreateTask(
                async token =>
                {
                    if (++running == 3)
                    {
                        started.SetResult();
                    }

                    try
                    {
                        await Aio.Sleep(3600);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        Say($"worker {id} saw cancellation");
                    }
                },
                $"worker-{id}");
        }

        CancellationToken shutdownBegan = Aio.CancellationToken;
        _ = Aio.CreateTask(() => Protected(shutdownBegan), "protected-caller");
        var executorGate = new ManualResetEventSlim();
        shutdownBegan.Register(executorGate.Set);
        _ = Aio.RunInExecutor(() =>
        {
            executorGate.Wait();
            Thread.Sleep(300);
            Say("executor work done");
        });
        await started.Task;
        Say("READY");
        await Aio.Sleep(3600);
    }

    private static async Task Protected(CancellationToken shutdownBegan)
    {
        try
        {
            await Aio.ShutdownWaitsFor(async ct =>
            {
                try
                {
                    await Aio.Sleep(3600, shutdownBegan);
                }
                catch (OperationCanceledException)
                {
                }

                await Aio.Sleep(0.5, ct);
                Say("protected work done");
            });
        }
        catch (OperationCanceledException)
        {
            Say("protected caller cancelled");
        }
    }

    /// <summary>The cancelled main task cleans up slowly (1 s), with CancellationToken.None.</summary>
    public static async Task SlowCleanup()
    {
        try
        {
            Say("READY");
            await Aio.Sleep(3600);
        }
        catch (OperationCanceledException)
        {
            Say("cleanup started");
            await Aio.Sleep(1.0, CancellationToken.None);
            Say("cleanup finished");
        }
    }

    /// <summary>A task that ignores cancellation: the shutdown names it after the timeout.</summary>
    public static async Task Refuse()
    {
        _ = Aio.CreateTask(
            async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(30));
            },
            "stubborn");
        await Aio.Sleep(0.01);
        Say("READY");
        await Aio.Sleep(3600);
    }

    /// <summary>
    /// <paramref name="count"/> tasks asleep for an hour, then READY on standard output: for timing how long the
    /// shutdown of many pending tasks takes from SIGTERM to exit (with standard error drained by the caller).
    /// </summary>
    public static async Task ManyTasks(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _ = Aio.CreateTask(() => Aio.Sleep(3600));
        }

        await Aio.Sleep(0.01);
        Console.WriteLine("READY");
        await Aio.Sleep(3600);
    }

    /// <summary>
    /// One task of each kind the task report describes: asleep, awaiting protected work, awaiting executor work (which
    /// runs until the shutdown begins). The tests find the sleeper's creation line by its marker comment.
    /// </summary>
    public static async Task Report()
    {
        CancellationToken shutdownBegan = Aio.CancellationToken;
        _ = Aio.CreateTask(() => Aio.Sleep(3600), "sleeper"); // report-test: the sleeper's creation site
        _ = Aio.CreateTask(
            () => Aio.ShutdownWaitsFor(
                async _ =>
                {
                    try
                    {
                        await Aio.Sleep(3600, shutdownBegan);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                },
                "protected-work"),
            "shield-caller");
        var executorGate = new ManualResetEventSlim();
        shutdownBegan.Register(executorGate.Set);
        _ = Aio.CreateTask(() => Aio.RunInExecutor(() => executorGate.Wait()), "executor-caller");
        await Aio.Sleep(0.01);
        Say("READY");
        await Aio.Sleep(3600);
    }

    /// <summary>A task that ignores its cancellation (EscalateOnSecondSignal is on): the shutdown would wait 60 s for it.</summary>
    public static async Task StubbornTask()
    {
        _ = Aio.CreateTask(
            async token =>
            {
                token.Register(() => Say("stubborn ignores its cancellation"));
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
            },
            "stubborn");
        await Aio.Sleep(0.01);
        Say("READY");
        await Aio.Sleep(3600);
    }

    /// <summary>Main awaits executor work that never ends (EscalateOnSecondSignal is on): the shutdown would wait for ever.</summary>
    public static async Task HungExecutor()
    {
        await Aio.RunInExecutor(() =>
        {
            Say("READY");
            Thread.Sleep(Timeout.Infinite);
        });
    }

    public static async Task Ouch()
    {
        await Aio.Sleep(0.01);
        throw new InvalidOperationException("ouch");
    }

    public static async Task<int> ExitCode()
    {
        await Aio.Sleep(0.01);
        Aio.Stop();
        return 7;
    }

    /// <summary>A service whose Main returns at once, leaving a worker: systemd hears READY=1 when Main's task is done.</summary>
    public static Task SystemdService()
    {
        _ = Aio.CreateTask(Worker, "worker");
        Say("READY");
        return Task.CompletedTask;
    }

    /// <summary>A Main that runs for ever and says it is ready itself (twice: READY=1 goes out once).</summary>
    public static async Task NotifyReadyEarly()
    {
        Aio.NotifyReady();
        Aio.NotifyReady();
        Say("READY");
        await Aio.Sleep(3600);
    }

    /// <summary>
    /// A service (Main returns at once) whose loop thread blocks on demand: a line on stdin blocks it (a task reads the
    /// next line on the loop thread), the next line unblocks it. Then it runs on until a signal.
    /// </summary>
    public static Task BlockOnDemand()
    {
        _ = Aio.CreateTask(
            async () =>
            {
                await Aio.RunInExecutor(Console.ReadLine);
                Say("BLOCKED");
                Console.ReadLine();
                Say("UNBLOCKED");
            },
            "blocker");
        Say("READY");
        return Task.CompletedTask;
    }

    private static async Task Worker()
    {
        try
        {
            await Aio.Sleep(3600);
        }
        catch (OperationCanceledException)
        {
            Say("worker cancelled");
        }
    }

    /// <summary>
    /// Writes to standard error, the stream AioRun logs to: the tests check the order of these lines
    /// against the shutdown lines, and only lines of one stream arrive in a defined order.
    /// </summary>
    private static void Say(string line)
    {
        // A test whose standard error cannot be written (to see that AioRun copes) reads these lines on standard output.
        TextWriter output = Environment.GetEnvironmentVariable("AIORUN_TESTHOST_SAY") == "stdout" ? Console.Out : Console.Error;
        output.WriteLine(line);
        output.Flush();
    }
}
