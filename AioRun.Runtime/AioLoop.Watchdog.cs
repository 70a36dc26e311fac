using System;
using System.Threading;

namespace AioRun;

/// <summary>AioLoop: the loop-lag watchdog's side of the loop (what its monitor thread samples).</summary>
public partial class AioLoop
{
    private static readonly TimeSpan s_watchdogLastSample = TimeSpan.FromSeconds(1);

    private long _loopLagWarningTicks;
    private LoopWatchdog? _watchdog;
    private long _idleTurns;

    /// <summary>
    /// How long one callback may hold the loop thread before a warning names it:
    /// <c>Loop blocked for &lt;ms&gt; ms so far by task '&lt;name&gt;' (created at &lt;file&gt;:&lt;line&gt;)</c> while it still
    /// blocks (again each time the time doubles, so a deadlock stays visible), and <c>Loop blocked for &lt;ms&gt; ms by ...</c>
    /// when it ends. A callback that is not a task's is named by its method (an await continuation by its async method).
    /// <see cref="TimeSpan.Zero"/> turns the watchdog off.
    /// </summary>
    /// <remarks>
    /// Off for a loop created by hand (so tests and libraries that make loops start no thread); <see cref="AioProgram.UseLoop"/>
    /// sets it from <see cref="AioRunOptions.LoopLagWarning"/>, 100 ms unless configured. When on, a background thread per loop
    /// samples the loop's callback counter a few times per threshold (the loop itself reads no clock for it) and stops
    /// when the loop is closed; time spent waiting for work never counts. Times are wall-clock times, whatever the loop's
    /// <see cref="TimeProvider"/>, and measured to within about a quarter of the threshold.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan LoopLagWarning
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _loopLagWarningTicks));
        set
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(LoopLagWarning), value, $"LoopLagWarning must be zero (off) or more; it was {value}.");
            }

            Volatile.Write(ref _loopLagWarningTicks, value.Ticks);
            if (value == TimeSpan.Zero)
            {
                Interlocked.Exchange(ref _watchdog, null)?.Stop();
            }
            else if (Volatile.Read(ref _watchdog) is null && !IsClosed)
            {
                var watchdog = new LoopWatchdog(this);
                if (Interlocked.CompareExchange(ref _watchdog, watchdog, null) is null)
                {
                    watchdog.Start();
                }
            }
        }
    }

    /// <summary>How many callbacks the loop has run: the ready queue's dequeue count (one increment per callback). Any thread.</summary>
    internal long CallbackCount => _ready.Taken;

    /// <summary>The watchdog's monitor, while the watchdog is on.</summary>
    internal LoopWatchdog? Watchdog => Volatile.Read(ref _watchdog);

    /// <summary>
    /// What the watchdog samples, from its own thread: the callback counter, how many times the loop went idle, and
    /// whether it runs a callback now (or, rarely, moves work between callbacks) rather than waiting for work or not running.
    /// </summary>
    /// <remarks>Out parameters rather than a tuple: the framework's ValueTuple over these types is not precompiled with AioRun.</remarks>
    internal void SampleForWatchdog(out long callbacks, out long idleTurns, out bool busy)
    {
        callbacks = _ready.Taken;
        idleTurns = Volatile.Read(ref _idleTurns);
        busy = _status == StatusRunning && Volatile.Read(ref _waiting) == 0;
    }

    /// <summary>
    /// Names the callback that runs now, if it is still the one the watchdog saw as number <paramref name="callbacks"/>
    /// (else <see langword="null"/>: it has ended meanwhile). From the watchdog's thread, while the loop is blocked.
    /// </summary>
    internal string? DescribeBlockingCallback(long callbacks)
    {
        WorkItem running = _ready.Last;
        if (_ready.Taken != callbacks)
        {
            return null;
        }

        return CallbackNames.Describe(this, running);
    }

    /// <summary>The tracked task whose work is <paramref name="work"/> (the Task its top-level method returned), if any. Any thread.</summary>
    internal AioTask? FindTaskRunning(System.Threading.Tasks.Task work) => _tasks.FindRunning(work);

    /// <summary>Called when the loop is about to wait for work: the watchdog must not count the wait, and the last callback need not stay referenced.</summary>
    private void OnGoingIdle()
    {
        _ready.ForgetLast();
        Volatile.Write(ref _idleTurns, _idleTurns + 1);
    }

    /// <summary>
    /// Stops the watchdog when the loop closes, and waits (at most a second) for its last sample: a block that ended just
    /// before the shutdown is reported by that sample, and the program would otherwise exit before the line is written.
    /// </summary>
    private void StopWatchdog()
    {
        LoopWatchdog? watchdog = Interlocked.Exchange(ref _watchdog, null);
        if (watchdog is null)
        {
            return;
        }

        watchdog.Stop();
        // The join lets a block that has just ended be reported before the loop's last words. A monitor that has not
        // taken two samples cannot report one (a block is seen only from the second sample on, and the loop no longer
        // runs), so a program that ends at once does not wait for a thread that has barely started.
        if (watchdog.Samples >= 2 && (watchdog.Thread.ThreadState & ThreadState.Unstarted) == 0 && watchdog.Thread != Thread.CurrentThread)
        {
            watchdog.Thread.Join(s_watchdogLastSample);
        }
    }
}
