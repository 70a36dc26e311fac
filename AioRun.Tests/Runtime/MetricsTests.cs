using System.Diagnostics.Metrics;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>
/// Every instrument of the <c>AioRun</c> meter, read with a <see cref="MeterListener"/> as dotnet-counters and OpenTelemetry
/// read them, on real loops with real callbacks, tasks and executor work. Measurements are told apart by the
/// <c>aiorun.loop</c> tag, since other tests' loops run meanwhile.
/// </summary>
public class MetricsTests
{
    [Fact]
    public void Active_and_created_tasks_are_measured_per_loop()
    {
        using var t = new TestLoop();
        using var other = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.tasks.active", "aiorun.tasks.created");
        AioTask[] sleepers = Enumerable.Range(0, 3).Select(i => t.Loop.CreateTask(() => Aio.Sleep(1.0), "sleeper " + i)).ToArray();
        other.Loop.CreateTask(() => Aio.Sleep(1.0), "elsewhere");
        t.Loop.CallSoon(t.Loop.Stop);
        t.Loop.RunForever();

        Assert.Equal(3, metrics.Observe("aiorun.tasks.active", t.Loop));
        Assert.Equal(3, metrics.Observe("aiorun.tasks.created", t.Loop));
        Assert.Equal(1, metrics.Observe("aiorun.tasks.active", other.Loop));

        t.Time.Advance(TimeSpan.FromSeconds(1));
        t.Loop.RunUntilComplete(Task.WhenAll(sleepers.Select(s => s.AsTask())));

        Assert.Equal(0, metrics.Observe("aiorun.tasks.active", t.Loop));
        Assert.Equal(3, metrics.Observe("aiorun.tasks.created", t.Loop));
    }

    [Fact]
    public void The_callback_counter_counts_every_callback_the_loop_runs()
    {
        using var t = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.loop.callbacks");
        long before = metrics.Observe("aiorun.loop.callbacks", t.Loop);
        int remaining = 1_000;
        void Chain()
        {
            if (--remaining > 0)
            {
                t.Loop.CallSoon(Chain);
            }
            else
            {
                t.Loop.Stop();
            }
        }

        t.Loop.CallSoon(Chain);
        t.Loop.RunForever();

        Assert.Equal(1_000, metrics.Observe("aiorun.loop.callbacks", t.Loop) - before);
    }

    [Fact]
    public void Executor_work_is_measured_as_active_and_queued()
    {
        using var t = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.executor.active", "aiorun.executor.queued");
        using var release = new ManualResetEventSlim();
        t.Loop.ExecutorWorkers = 1;
        Task[] work = Enumerable.Range(0, 3).Select(_ => t.Loop.RunInExecutor(() => release.Wait())).ToArray();

        Assert.Equal(1, metrics.Observe("aiorun.executor.active", t.Loop));
        Assert.Equal(2, metrics.Observe("aiorun.executor.queued", t.Loop));

        release.Set();
        t.Loop.RunUntilComplete(Task.WhenAll(work));
        t.Loop.RunUntilExecutorIdle();

        Assert.Equal(0, metrics.Observe("aiorun.executor.active", t.Loop));
        Assert.Equal(0, metrics.Observe("aiorun.executor.queued", t.Loop));
    }

    [Fact]
    public void Unbounded_executor_work_is_all_active()
    {
        using var t = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.executor.active", "aiorun.executor.queued");
        using var release = new ManualResetEventSlim();
        Task[] work = Enumerable.Range(0, 2).Select(_ => t.Loop.RunInExecutor(() => release.Wait())).ToArray();

        Assert.Equal(2, metrics.Observe("aiorun.executor.active", t.Loop));
        Assert.Equal(0, metrics.Observe("aiorun.executor.queued", t.Loop));

        release.Set();
        t.Loop.RunUntilComplete(Task.WhenAll(work));
        t.Loop.RunUntilExecutorIdle();
    }

    [Fact]
    public void The_lag_probe_records_how_long_it_waited_behind_a_blocking_callback()
    {
        using var t = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.loop.lag");
        t.Loop.CallSoon(() =>
        {
            t.Loop.PostLagProbe();
            Thread.Sleep(100); // holds the loop on purpose: the probe waits behind this callback
            t.Loop.CallSoon(t.Loop.Stop);
        });

        t.Loop.RunForever();

        double[] lags = metrics.Recorded("aiorun.loop.lag", t.Loop);
        Assert.NotEmpty(lags);
        Assert.True(lags.Max() >= 100, $"lags {string.Join(", ", lags)} ms");
    }

    [Fact]
    public void While_the_lag_is_listened_to_a_probe_reaches_each_running_loop_once_a_second()
    {
        using var t = new TestLoop();
        using var metrics = new MetricsRecorder("aiorun.loop.lag");
        metrics.Measured += (_, loopId) =>
        {
            if (loopId == t.Loop.MetricsId)
            {
                t.Loop.Stop(); // on the loop thread: the probe records there
            }
        };

        // Idle until the process-wide timer's probe arrives (the timer ticks once a second); the stop comes from it.
        using var giveUp = new Timer(_ => t.Loop.CallSoonThreadsafe(t.Loop.Stop), null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        t.Loop.RunForever();

        Assert.NotEmpty(metrics.Recorded("aiorun.loop.lag", t.Loop));
    }

    [Fact]
    public void A_closed_loop_is_no_longer_measured()
    {
        var loop = new AioLoop();
        using var metrics = new MetricsRecorder("aiorun.tasks.created");
        Assert.Equal(0, metrics.Observe("aiorun.tasks.created", loop));

        loop.Close();

        Assert.Null(metrics.TryObserve("aiorun.tasks.created", loop));
    }

    [Fact]
    public void Every_instrument_is_on_the_AioRun_meter_with_its_unit()
    {
        using var t = new TestLoop();
        var units = new Dictionary<string, string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == AioMetrics.MeterName)
                {
                    lock (units)
                    {
                        units[instrument.Name] = instrument.Unit;
                    }
                }
            },
        };
        AioMetrics.CreateInstruments();
        listener.Start();

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["aiorun.tasks.active"] = "{task}",
                ["aiorun.tasks.created"] = "{task}",
                ["aiorun.loop.callbacks"] = "{callback}",
                ["aiorun.loop.lag"] = "ms",
                ["aiorun.executor.active"] = "{work_item}",
                ["aiorun.executor.queued"] = "{work_item}",
            },
            units);
    }

    [Fact]
    public void A_listener_learns_of_the_instruments_that_a_loop_has_made_off_its_thread_when_it_first_waits()
    {
        using var published = new ManualResetEventSlim();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == AioMetrics.MeterName && instrument.Name == "aiorun.tasks.created")
                {
                    published.Set();
                }
            },
        };
        listener.Start();
        using var loop = new AioLoop();
        loop.CallLater(TimeSpan.FromMilliseconds(1), loop.Stop); // the loop waits for this timer
        loop.RunForever();

        Assert.True(published.Wait(TimeSpan.FromSeconds(30)), "aiorun.tasks.created was never published");
    }

    /// <summary>A <see cref="MeterListener"/> on some of AioRun's instruments that keeps what each loop measured.</summary>
    private sealed class MetricsRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, int Loop, double Value)> _measurements = new();

        public MetricsRecorder(params string[] instruments)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AioMetrics.MeterName && instruments.Contains(instrument.Name))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            AioMetrics.CreateInstruments(); // a loop has them made on a background thread when it first waits; these tests read them at once
            _listener.Start();
        }

        /// <summary>Raised for every measurement, on the thread that measured (value, loop number).</summary>
        public event Action<double, int>? Measured;

        /// <summary>Collects the observable instruments now and returns <paramref name="loop"/>'s value of <paramref name="instrument"/>.</summary>
        public long Observe(string instrument, AioLoop loop) =>
            TryObserve(instrument, loop) ?? throw new Xunit.Sdk.XunitException($"{instrument} measured nothing for loop {loop.MetricsId}");

        public long? TryObserve(string instrument, AioLoop loop)
        {
            lock (_measurements)
            {
                _measurements.RemoveAll(m => m.Instrument == instrument);
            }

            _listener.RecordObservableInstruments();
            double[] values = Recorded(instrument, loop);
            return values.Length == 0 ? null : (long)Assert.Single(values);
        }

        public double[] Recorded(string instrument, AioLoop loop)
        {
            lock (_measurements)
            {
                return _measurements.Where(m => m.Instrument == instrument && m.Loop == loop.MetricsId).Select(m => m.Value).ToArray();
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            int loop = -1;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == AioMetrics.LoopTag)
                {
                    loop = (int)tag.Value!;
                }
            }

            lock (_measurements)
            {
                _measurements.Add((instrument.Name, loop, value));
            }

            Measured?.Invoke(value, loop);
        }
    }
}
