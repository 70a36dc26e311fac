// aiorun's testshield.py: work wrapped in Aio.ShutdownWaitsFor is not cancelled by the shutdown. Press
// Ctrl-C before 10 seconds: "oh noes!" is printed at once (the caller is cancelled), the counting goes
// on to "done!", and only then does the program exit.
// Usage: dotnet run --project AioRun.Samples/ShieldDemo [-- seconds-per-step]
using AioRun;

static partial class Program
{
    static double _step = 1.0;

    [AioRunEntry]
    static async Task Main(string[] args)
    {
        if (args.Length > 0)
        {
            _step = double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        try
        {
            await Aio.ShutdownWaitsFor(Corofn);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("oh noes!");
        }
    }

    static async Task Corofn(CancellationToken token)
    {
        for (int i = 0; i < 10; i++)
        {
            Console.WriteLine(i);
            await Aio.Sleep(_step, token);
        }

        Console.WriteLine("done!");
    }
}
