// The quick start: a few tasks on the loop, one of them protected by ShutdownWaitsFor, and the
// shutdown sequence. The program stops itself after 3 seconds; press Ctrl-C to stop it earlier.
// (This Main lines the runtime's shutdown phases up by hand; [AioRunEntry] generates the same.)
using AioRun;

using var program = new AioProgram(new AioRunOptions { ShutdownTimeout = TimeSpan.FromSeconds(10) });
var loop = program.UseLoop(new AioLoop());
var main = loop.CreateTask(MainAsync, "main");
loop.RunForever();
program.EnterShutdownPhase();
program.CancelPendingTasks();
program.RunPendingTasksTillComplete();
program.WaitForExecutorShutdown();
program.Close();
return program.ExitCode(main);

static async Task MainAsync()
{
    Console.WriteLine("Running. Press Ctrl-C to stop (or wait 3 s).");
    _ = Aio.CreateTask(Ticker, "ticker");
    _ = Aio.ShutdownWaitsFor(SaveState, "save-state");
    double sum = await Aio.RunInExecutor(() => Enumerable.Range(1, 1_000_000).Sum(i => (double)i));
    Console.WriteLine($"Executor computed {sum:N0}.");
    await Aio.Sleep(3.0);
    Console.WriteLine("Main is done; stopping the loop.");
    Aio.Stop();
}

static async Task Ticker()
{
    try
    {
        for (int i = 1; ; i++)
        {
            await Aio.Sleep(1.0);
            Console.WriteLine($"tick {i}");
        }
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("ticker was cancelled!");
    }
}

static async Task SaveState(CancellationToken token)
{
    await Aio.Sleep(3.5, token);
    Console.WriteLine("state saved (ShutdownWaitsFor kept it alive through the shutdown)");
}
