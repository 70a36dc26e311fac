// The loop-safety rules, AIO001-AIO004: Firing.cs has code that breaks each one (open it in an IDE to see the
// diagnostics and their fixes), Fixed.cs the same code after the code fix. This program runs the fixed code on
// a loop and shuts down in order; it stops by itself after a second.
using AioRun;
using AioRun.Samples.LoopSafety;

static partial class Program
{
    [AioRunEntry(ShutdownTimeoutSeconds = 5)]
    static async Task Main(CancellationToken token)
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
}
