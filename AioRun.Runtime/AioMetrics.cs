using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace AioRun;

/// <summary>
/// AioRun's metrics, on the <see cref="Meter"/> named <c>AioRun</c> (<see cref="MeterName"/>), readable with
/// <c>dotnet-counters monitor --counters AioRun -p &lt;pid&gt;</c> or OpenTelemetry's <c>AddMeter("AioRun")</c>:
/// <list type="table">
/// <item><term><c>aiorun.tasks.active</c></term><description>gauge: tracked tasks not done yet</description></item>
/// <item><term><c>aiorun.tasks.created</c></term><description>counter: tracked tasks created</description></item>
/// <item><term><c>aiorun.loop.callbacks</c></term><description>counter: callbacks the loop ran (AioRun's own included)</description></item>
/// <item><term><c>aiorun.loop.lag</c></term><description>histogram, ms: how long work posted to the loop waited before it ran (a probe, once a second)</description></item>
/// <item><term><c>aiorun.executor.active</c></term><description>gauge: executor work items handed to worker threads</description></item>
/// <item><term><c>aiorun.executor.queued</c></term><description>gauge: executor work items waiting for a worker (<c>ExecutorWorkers</c>)</description></item>
/// </list>
/// Every measurement carries the tag <c>aiorun.loop</c> (<see cref="LoopTag"/>): the loop's number, 1 for the first
/// loop of the process, so several loops are measured apart.
/// </summary>
/// <remarks>
/// Nothing is done per callback or per task for the metrics: the observable instruments read counters the loop keeps
/// anyway, when a listener collects them. The lag probe runs only while <c>aiorun.loop.lag</c> has a listener: then, once
/// a second, a process-wide timer posts a probe to each running loop and the probe records how long it waited
/// (a loop blocked by one callback shows that callback's time). Loops register when created and unregister when closed;
/// a loop dropped without being closed is forgotten once the GC has collected it.
/// <para>
/// The meter, its instruments and the probe's timer are made on a short-lived background thread when a loop first waits
/// for work (<see cref="BackgroundSetup"/>), not when the first loop is created: a program that nobody measures does not wait for the metrics machinery
/// at its start or at its exit. A listener learns of them when they are published
/// (<c>MeterListener.InstrumentPublished</c>), a moment after the first loop went idle.
/// </para>
/// </remarks>
public static class AioMetrics
{
    /// <summary>The meter's name: <c>AioRun</c>.</summary>
    public const string MeterName = "AioRun";

    /// <summary>The tag that tells loops apart: <c>aiorun.loop</c>, the loop's number in the process (from 1).</summary>
    public const string LoopTag = "aiorun.loop";

    private static readonly TimeSpan s_probeInterval = TimeSpan.FromSeconds(1);

    private static readonly List<WeakReference<AioLoop>> s_loops = new();
    private static int s_lastLoopId;

    /// <summary>Registers a new loop (weakly) and gives it its number.</summary>
    internal static int Register(AioLoop loop)
    {
        int id;
        lock (s_loops)
        {
            if (s_loops.Count >= 16 && s_loops.Count == s_loops.Capacity)
            {
                s_loops.RemoveAll(static weak => !weak.TryGetTarget(out _));
            }

            s_loops.Add(new WeakReference<AioLoop>(loop));
            id = ++s_lastLoopId;
        }

        return id;
    }

    /// <summary>
    /// Makes the meter and its instruments now, if they are not made yet: the background set-up does it when a loop first
    /// waits (<see cref="BackgroundSetup"/>), and a reader that must see them at once calls it too.
    /// </summary>
    internal static void CreateInstruments() => Instruments.Create();

    /// <summary>Forgets a closed loop.</summary>
    internal static void Unregister(AioLoop loop)
    {
        lock (s_loops)
        {
            s_loops.RemoveAll(weak => !weak.TryGetTarget(out AioLoop? registered) || ReferenceEquals(registered, loop));
        }
    }

    /// <summary>Posts a lag probe to every running loop now (the timer does it once a second while the histogram is listened to).</summary>
    internal static void ProbeLag()
    {
        foreach (AioLoop loop in LiveLoops())
        {
            loop.PostLagProbe();
        }
    }

    internal static void RecordLag(double milliseconds, KeyValuePair<string, object?> loopTag) => Instruments.Lag.Record(milliseconds, loopTag);

    private static Timer StartProbeTimer()
    {
        // The timer lives as long as the process: it must not carry the ExecutionContext of the code that made the first loop.
        TimerCallback tick = static _ =>
        {
            if (Instruments.Lag.Enabled)
            {
                ProbeLag();
            }
        };
        if (ExecutionContext.IsFlowSuppressed())
        {
            return new Timer(tick, null, s_probeInterval, s_probeInterval);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return new Timer(tick, null, s_probeInterval, s_probeInterval);
        }
    }

    /// <summary>The meter, its instruments and the probe's timer: made once, by the first use of this class.</summary>
    private static class Instruments
    {
        public static readonly Meter Meter = new(MeterName);

        public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>(
            "aiorun.loop.lag", "ms", "How long work posted to the loop waited before it ran (a probe, once a second, while this is listened to).");

        private static readonly Timer s_probeTimer;

        static Instruments()
        {
            Meter.CreateObservableGauge("aiorun.tasks.active", () => Observe(static loop => loop.PendingTaskCount), "{task}", "Tracked tasks that are not done yet.");
            Meter.CreateObservableCounter("aiorun.tasks.created", () => Observe(static loop => loop.CreatedTaskCount), "{task}", "Tracked tasks created.");
            Meter.CreateObservableCounter("aiorun.loop.callbacks", () => Observe(static loop => loop.CallbackCount), "{callback}", "Callbacks the loop ran.");
            Meter.CreateObservableGauge("aiorun.executor.active", () => Observe(static loop => loop.ExecutorActive), "{work_item}", "Executor work items handed to worker threads.");
            Meter.CreateObservableGauge("aiorun.executor.queued", () => Observe(static loop => loop.ExecutorQueued), "{work_item}", "Executor work items waiting for a worker (ExecutorWorkers).");
            s_probeTimer = StartProbeTimer();
        }

        /// <summary>Runs the static constructor, once (the runtime makes any other thread that calls this wait for it).</summary>
        public static void Create() => GC.KeepAlive(s_probeTimer);
    }

    private static List<AioLoop> LiveLoops()
    {
        var live = new List<AioLoop>();
        lock (s_loops)
        {
            foreach (WeakReference<AioLoop> weak in s_loops)
            {
                if (weak.TryGetTarget(out AioLoop? loop))
                {
                    live.Add(loop);
                }
            }
        }

        return live;
    }

    private static Measurement<T>[] Observe<T>(Func<AioLoop, T> read)
        where T : struct
    {
        List<AioLoop> loops = LiveLoops();
        var measurements = new Measurement<T>[loops.Count];
        for (int i = 0; i < measurements.Length; i++)
        {
            measurements[i] = new Measurement<T>(read(loops[i]), loops[i].MetricsTag);
        }

        return measurements;
    }
}
