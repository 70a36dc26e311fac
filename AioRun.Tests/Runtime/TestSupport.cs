using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AioRun.Tests.Runtime;

/// <summary>An ILogger that keeps every line (message, level, exception), thread-safe.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get { lock (_entries) { return _entries.ToArray(); } }
    }

    public IReadOnlyList<string> Lines => Entries.Select(e => e.Message).ToArray();

    /// <summary>Raised (on the logging thread) for every line.</summary>
    public event Action<string>? Logged;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        lock (_entries)
        {
            _entries.Add((logLevel, message, exception));
        }

        Logged?.Invoke(message);
    }
}

/// <summary>A loop on virtual time with a capturing logger.</summary>
public sealed class TestLoop : IDisposable
{
    public TestLoop()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Loop = new AioLoop(Time) { Logger = Logger };
    }

    public FakeTimeProvider Time { get; }

    public CapturingLogger Logger { get; } = new();

    public AioLoop Loop { get; }

    /// <summary>
    /// Moves virtual time forward by <paramref name="step"/> once per turn of the loop, from a callback on the
    /// loop itself, until <paramref name="total"/> has passed: deterministic, and the loop never waits.
    /// (A zero-delay timer rather than CallSoon, so that closing the loop drops it silently.)
    /// </summary>
    public void AdvanceEachTurn(TimeSpan step, TimeSpan total)
    {
        DateTimeOffset end = Time.GetUtcNow() + total;
        void Tick()
        {
            if (Time.GetUtcNow() < end)
            {
                Time.Advance(step);
                Loop.CallLater(TimeSpan.Zero, Tick);
            }
        }

        Loop.CallLater(TimeSpan.Zero, Tick);
    }

    /// <summary>Runs <paramref name="work"/> as a task on the loop until it completes and returns its outcome.</summary>
    public void Run(Func<Task> work) => Loop.RunUntilComplete(Loop.CreateTask(work, "test"));

    public T Run<T>(Func<Task<T>> work) => Loop.RunUntilComplete(Loop.CreateTask(work, "test"));

    public void Dispose()
    {
        if (!Loop.IsRunning)
        {
            Loop.Close();
        }
    }
}

/// <summary>
/// Drives the GC until it found what a test waits for (a task nobody observed, reported by its finalizer): a bounded
/// number of rounds of collect + finalizers, each followed by a turn of the loop, if any, to deliver the report.
/// </summary>
public static class Garbage
{
    public static void CollectUntil(Func<bool> done) => CollectUntil(null, done);

    public static void CollectUntil(AioLoop? loop, Func<bool> done)
    {
        for (int i = 0; i < 20 && !done(); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (loop is not null)
            {
                loop.CallSoon(loop.Stop);
                loop.RunForever();
            }
        }
    }
}
