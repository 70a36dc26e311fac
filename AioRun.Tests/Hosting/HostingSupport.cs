using AioRun.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioRun.Tests.Hosting;

/// <summary>What the hosted services and the host's loggers saw, in order; thread-safe.</summary>
public sealed class Recorder
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines { get { lock (_lines) { return _lines.ToArray(); } } }

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    /// <summary>Whether the current code runs on the loop thread.</summary>
    public static bool OnLoop => AioLoop.TryGetCurrent(out _);
}

/// <summary>A logging provider of the host's that writes every line at Information and above to a <see cref="Recorder"/>, with its category.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly Recorder _recorder;

    public RecordingLoggerProvider(Recorder recorder) => _recorder = recorder;

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(_recorder, categoryName);

    public void Dispose() => _recorder.Add("logging provider disposed");

    private sealed class RecordingLogger(Recorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                recorder.Add($"[{category}] {formatter(state, exception)}");
            }
        }
    }
}

/// <summary>
/// An AioRun program in process, on virtual time, with a host: the phases as the generated program runs them, and a
/// builder whose logging goes to the recorder only.
/// </summary>
public sealed class HostedProgram : IDisposable
{
    private static readonly AioRunOptions Options = new() { LoopLagWarning = TimeSpan.Zero, ShutdownTimeout = TimeSpan.FromSeconds(10) };

    public HostedProgram()
    {
        Program = new AioProgram(Options);
        Loop = Program.UseLoop(T.Loop);
    }

    public TestLoop T { get; } = new();

    public AioProgram Program { get; }

    public AioLoop Loop { get; }

    public Recorder Recorder { get; } = new();

    public static HostApplicationBuilder NewBuilder(Recorder recorder)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new RecordingLoggerProvider(recorder));
        builder.Services.AddSingleton(recorder);
        return builder;
    }

    public HostApplicationBuilder NewBuilder() => NewBuilder(Recorder);

    /// <summary>Runs <paramref name="main"/> as the main task and the loop until something stops it.</summary>
    public AioTask RunMain(Func<Task> main)
    {
        AioTask task = Loop.CreateTask(main, "main");
        Loop.RunForever();
        return task;
    }

    /// <summary>Phases 3 to 7, virtual time moving by 100 ms per turn for <paramref name="virtualTime"/> from phase 3 on.</summary>
    public void RunShutdown(TimeSpan? virtualTime = null)
    {
        Program.EnterShutdownPhase();
        T.AdvanceEachTurn(TimeSpan.FromMilliseconds(100), virtualTime ?? TimeSpan.FromSeconds(1));
        Program.RunShutdownParticipants();
        Program.CancelPendingTasks();
        Program.RunPendingTasksTillComplete();
        Program.WaitForExecutorShutdown();
        Program.Close();
    }

    public void Dispose()
    {
        Program.Dispose();
        T.Dispose();
    }
}
