// aiorun's custom_stop.py: instead of StopOnUnhandledErrors, a custom exception handler stops the loop
// itself. The other job is still cancelled by the shutdown, as you expect; the exit code is 0, since
// the handler handled the error.
using AioRun;

static partial class Program
{
    [AioRunEntry]
    static void Main(AioLoop loop)
    {
        loop.CreateTask(Job, "job");
        loop.CreateTask(OtherJob, "other_job");
        loop.SetExceptionHandler((l, context) =>
        {
            Console.WriteLine($"Stopping loop due to error: {context.Exception?.Message}");
            l.Stop();
        });
    }

    static async Task Job()
    {
        await Aio.Sleep(0);
        throw new Exception("ouch");
    }

    static async Task OtherJob()
    {
        try
        {
            await Aio.Sleep(10);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("other_job was cancelled!");
        }
    }
}
