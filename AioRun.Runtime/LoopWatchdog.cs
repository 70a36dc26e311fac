using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace AioRun;

/// <summary>
/// The loop-lag watchdog: a background thread that samples a loop's callback counter a few times per threshold.
/// When the loop is busy (not waiting for work) and the counter has not moved for the threshold, one callback holds the
/// loop thread: it is named while it blocks, and again when it ends. The loop reads no clock for this; per callback it
/// only counts (its ready queue's dequeue count), and the blocking callback is the one the queue dequeued last.
/// </summary>
/// <remarks>
/// The thread holds the loop weakly, so a loop dropped without <see cref="AioLoop.Close"/> does not keep it running.
/// Times are read on the wall clock (<see cref="Stopwatch"/>), here, never on the loop thread. A block's start and end
/// fall between two samples: both are taken half-way, so a figure is good to about half a sampling period.
/// </remarks>
internal sealed class LoopWatchdog
{
    private static readonly TimeSpan s_shortestPeriod = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan s_longestPeriod = TimeSpan.FromSeconds(1);

    private readonly WeakReference<AioLoop> _loop;
    private readonly ManualResetEventSlim _stop = new(initialState: false, spinCount: 0);
    private readonly Thread _thread;

    // What the last sample saw; a callback blocks while the next samples see the same.
    private long _seenCallbacks = -1;
    private long _seenIdleTurns = -1;
    private long _previousSample;
    private long _blockStart;
    private long _lastBlockedSample;
    private bool _blocked;
    private string? _culprit;
    private long _warnedSoFarMs;
    private long _samples;

    public LoopWatchdog(AioLoop loop)
    {
        _loop = new WeakReference<AioLoop>(loop);
        _thread = new Thread(Run) { IsBackground = true, Name = "AioRun loop watchdog" };
    }

    /// <summary>The monitor thread (tests join it).</summary>
    public Thread Thread => _thread;

    /// <summary>How many samples the monitor took (tests wait for a number of them instead of sleeping).</summary>
    public long Samples => Volatile.Read(ref _samples);

    /// <summary>Starts the monitor without the creating code's ExecutionContext (an AioTask's, say): it outlives that code.</summary>
    public void Start() => _thread.UnsafeStart();

    /// <summary>Ends the monitor after one last sample (a block that has just ended is still reported). Any thread.</summary>
    public void Stop() => _stop.Set();

    /// <summary>A quarter of the threshold, within [1 ms, 1 s].</summary>
    internal static TimeSpan SamplingPeriod(TimeSpan threshold)
    {
        TimeSpan quarter = threshold / 4;
        return quarter < s_shortestPeriod ? s_shortestPeriod : quarter > s_longestPeriod ? s_longestPeriod : quarter;
    }

    private void Run()
    {
        _previousSample = Stopwatch.GetTimestamp();
        while (true)
        {
            TimeSpan? threshold = Threshold();
            if (threshold is null)
            {
                // Closed (or turned off) while this thread was not waiting: the last sample is still taken.
                Sample(Stopwatch.GetTimestamp());
                return;
            }

            bool stopping = _stop.Wait(SamplingPeriod(threshold.Value));
            if (!Sample(Stopwatch.GetTimestamp()) || stopping)
            {
                return;
            }
        }
    }

    /// <summary>The loop's threshold, or <see langword="null"/> when this monitor should end (watchdog off, loop closed or gone).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TimeSpan? Threshold()
    {
        if (!_loop.TryGetTarget(out AioLoop? loop) || loop.IsClosed || !ReferenceEquals(loop.Watchdog, this))
        {
            return null;
        }

        TimeSpan threshold = loop.LoopLagWarning;
        return threshold > TimeSpan.Zero ? threshold : null;
    }

    /// <summary>One sample. Kept out of <see cref="Run"/> so that no reference to the loop lives on while the thread waits.</summary>
    /// <returns>Whether the loop still exists.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Sample(long now)
    {
        if (!_loop.TryGetTarget(out AioLoop? loop))
        {
            return false;
        }

        Volatile.Write(ref _samples, _samples + 1);
        loop.SampleForWatchdog(out long callbacks, out long idleTurns, out bool busy);
        long thresholdMs = (long)loop.LoopLagWarning.TotalMilliseconds;
        if (busy && callbacks == _seenCallbacks && idleTurns == _seenIdleTurns)
        {
            // Still the same callback, and the loop has not waited for work since: it holds the loop thread.
            if (!_blocked)
            {
                _blocked = true;
                _culprit = loop.DescribeBlockingCallback(callbacks);
            }

            _lastBlockedSample = now;
            long soFarMs = Milliseconds(now - _blockStart);
            if (thresholdMs > 0 && soFarMs >= thresholdMs && soFarMs >= 2 * _warnedSoFarMs)
            {
                // Again each time the time doubles: a deadlock stays visible without flooding the log.
                Log.LoopBlockedSoFar(loop.Logger, soFarMs, _culprit ?? CallbackNames.Unknown);
                _warnedSoFarMs = soFarMs;
            }
        }
        else
        {
            if (_blocked)
            {
                long blockedMs = Milliseconds(((_lastBlockedSample + now) / 2) - _blockStart);
                if (_warnedSoFarMs > 0 || (thresholdMs > 0 && blockedMs >= thresholdMs))
                {
                    Log.LoopBlocked(loop.Logger, Math.Max(blockedMs, _warnedSoFarMs), _culprit ?? CallbackNames.Unknown);
                }

                _blocked = false;
                _culprit = null;
                _warnedSoFarMs = 0;
            }

            // If the callback running now turns out to block, it began after the previous sample.
            _seenCallbacks = callbacks;
            _seenIdleTurns = idleTurns;
            _blockStart = _previousSample + ((now - _previousSample) / 2);
        }

        _previousSample = now;
        return true;
    }

    private static long Milliseconds(long stopwatchTicks) => (long)Stopwatch.GetElapsedTime(0, stopwatchTicks).TotalMilliseconds;
}
