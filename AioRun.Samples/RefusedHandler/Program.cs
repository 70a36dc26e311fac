// aiorun refuses a custom exception handler combined with stop_on_unhandled_errors: "all exceptions
// will be handled", so stopping on one cannot work. AioRun refuses it the same way, before the loop
// runs: the message below on stderr, exit code 1, and the job never runs.
using AioRun;

static partial class Program
{
    [AioRunEntry(StopOnUnhandledErrors = true)]
    static void Main(AioLoop loop)
    {
        loop.CreateTask(Job, "job");
        loop.SetExceptionHandler((_, _) => Console.WriteLine("Error"));
    }

    static async Task Job()
    {
        await Aio.Sleep(0);
        throw new Exception("ouch");
    }
}
