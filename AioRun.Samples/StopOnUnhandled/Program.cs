// aiorun's stop_demo.py: with StopOnUnhandledErrors, an unhandled exception stops the loop; after
// the whole shutdown it is printed with its stack trace and the exit code is 1.
// (The same option in the csproj: <AioRunStopOnUnhandled>true</AioRunStopOnUnhandled>.)
using AioRun;

static partial class Program
{
    [AioRunEntry(StopOnUnhandledErrors = true)]
    static async Task Main()
    {
        await Aio.Sleep(0);
        throw new Exception("ouch");
    }
}
