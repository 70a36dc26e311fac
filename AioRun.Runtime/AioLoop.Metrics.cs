using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace AioRun;

/// <summary>AioLoop: what <see cref="AioMetrics"/> reads, and the lag probe.</summary>
public partial class AioLoop
{
    private static readonly System.Action<object?> s_lagProbe = static state => ((AioLoop)state!).RunLagProbe();

    private KeyValuePair<string, object?> _metricsTag;
    private long _lagProbePostedAt;

    /// <summary>The loop's number in the process, from 1: the <c>aiorun.loop</c> tag of its measurements.</summary>
    internal int MetricsId => (int)_metricsTag.Value!;

    internal KeyValuePair<string, object?> MetricsTag => _metricsTag;

    internal long CreatedTaskCount => Interlocked.Read(ref _nextTaskId);

    internal int ExecutorActive => _executor.Active;

    internal int ExecutorQueued => _executor.Queued;

    private void RegisterForMetrics() => _metricsTag = new KeyValuePair<string, object?>(AioMetrics.LoopTag, AioMetrics.Register(this));

    /// <summary>
    /// Posts the lag probe, unless one is still on its way (a blocked loop gets one, which reports the whole wait). Not
    /// through <see cref="CallSoonThreadsafe(System.Action)"/>: a probe that meets a closed loop is dropped quietly, it is not the user's
    /// dropped work. Any thread.
    /// </summary>
    internal void PostLagProbe()
    {
        if (_status != StatusRunning || Interlocked.CompareExchange(ref _lagProbePostedAt, Stopwatch.GetTimestamp(), 0) != 0)
        {
            return;
        }

        Incoming.Enqueue(new WorkItem(s_lagProbe, this));
        Volatile.Write(ref _hasIncoming.Value, 1);
        Wakeup();
    }

    private void RunLagProbe()
    {
        long postedAt = Interlocked.Exchange(ref _lagProbePostedAt, 0);
        if (postedAt != 0)
        {
            AioMetrics.RecordLag(Stopwatch.GetElapsedTime(postedAt).TotalMilliseconds, _metricsTag);
        }
    }

    /// <summary>A probe posted before the loop stopped would measure the time it stood still: it records nothing when it runs.</summary>
    private void ForgetLagProbe() => Volatile.Write(ref _lagProbePostedAt, 0);
}
