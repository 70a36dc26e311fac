// aiorun's run(loop=loop, stop_on_unhandled_errors=True) with no main coroutine: the entry takes the
// loop, creates the tasks and returns; the loop runs forever. The task's unhandled exception still
// stops the program (exit code 1), because StopOnUnhandledErrors is on.
using AioRun;

static partial class Program
{
    [AioRunEntry(StopOnUnhandledErrors = true)]
    static void Main(AioLoop loop)
    {
        loop.CreateTask(Job, "job");
    }

    static async Task Job()
    {
        await Aio.Sleep(0);
        throw new Exception("ouch");
    }
}
