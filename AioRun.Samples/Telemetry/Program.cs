// AioRun's meter exported with the OpenTelemetry SDK's console exporter: the same few lines wire it into any
// OpenTelemetry stack (swap AddConsoleExporter for AddOtlpExporter). Tasks come and go and executor work queues
// behind ExecutorWorkers, so every instrument moves. It stops itself after 5 seconds; press Ctrl-C to stop it
// earlier. Usage: dotnet run --project AioRun.Samples/Telemetry [-- seconds]
using AioRun;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

static partial class Program
{
    [AioRunEntry(ExecutorWorkers = 2, ShutdownTimeoutSeconds = 10)]
    static async Task Main(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5.0;

        // Building the SDK takes a moment (loading and JIT-compiling it): in the executor, off the loop thread.
        // Disposed when Main ends, after the time is up or when Ctrl-C cancels it: one last export on the way out.
        using MeterProvider meters = await Aio.RunInExecutor(BuildMeterProvider);

        Console.WriteLine($"Exporting the {AioMetrics.MeterName} meter every second. Press Ctrl-C to stop (or wait {seconds} s).");
        Aio.CreateTask(Producer, "producer");
        await Aio.Sleep(seconds);
        Console.WriteLine("Time is up; stopping the loop.");
        Aio.Stop();
    }

    /// <summary>What wires AioRun into an OpenTelemetry pipeline: its meter's name.</summary>
    static MeterProvider BuildMeterProvider() =>
        Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("Telemetry"))
            .AddMeter(AioMetrics.MeterName)
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000)
            .Build();

    /// <summary>Every 100 ms a short-lived task (aiorun.tasks.created, .active) that hands work to the executor.</summary>
    static async Task Producer()
    {
        for (int i = 1; ; i++)
        {
            Aio.CreateTask(Job, $"job-{i}");
            await Aio.Sleep(0.1);
        }
    }

    /// <summary>Three blocking work items at once, behind two workers: aiorun.executor.active and .queued.</summary>
    static async Task Job()
    {
        await Task.WhenAll(
            Aio.RunInExecutor(Block),
            Aio.RunInExecutor(Block),
            Aio.RunInExecutor(Block));
    }

    // Stands for a blocking call (a synchronous driver, a file): the executor's worker threads are where it belongs.
    static void Block() => Thread.Sleep(50);
}
