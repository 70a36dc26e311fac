// The loop-safety rules, AIO001-AIO004: Firing.cs has code that breaks each one (open it in an IDE to see the
// diagnostics and their fixes), Fixed.cs the same code after the code fix. This program runs the fixed code on
// a loop and shuts down in order; it stops by itself after a second.
using AioRun;
using AioRun.Samples.LoopSafety;

using var program = new AioProgram(new AioRunOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) });
var loop = program.UseLoop(new AioLoop());
var main = loop.CreateTask(MainAsync, "main");
loop.RunForever();
program.EnterShutdownPhase();
program.CancelPendingTasks();
program.RunPendingTasksTillComplete();
program.WaitForExecutorShutdown();
program.Close();
return program.ExitCode(main);

static async Task MainAsync(CancellationToken token)
{
    var fixedCode = new Fixed();
    await fixedCode.UntrackedWork();
    await fixedCode.Shield(token);
    Console.WriteLine($"read {await fixedCode.Blocking()} characters without blocking the loop");
    await fixedCode.Cancellation(token);
    await Aio.Sleep(1.0);
    Console.WriteLine("Stopping: the shutdown cancels the ticker and waits for the saved state.");
    Aio.Stop();
}
