using Microsoft.Extensions.Logging;
using Xunit;

namespace AioRun.Tests.Runtime;

public class UnhandledErrorTests
{
    [Fact]
    public void Without_StopOnUnhandledErrors_a_failed_task_is_logged_and_the_loop_keeps_running()
    {
        using var t = new TestLoop();
        bool stillRunning = false;

        t.Run(async () =>
        {
            _ = Aio.CreateTask(() => throw new FormatException("ouch"), "job");
            await Aio.Sleep(0);
            await Task.Yield();
            stillRunning = true;
        });

        Assert.True(stillRunning);
        var error = Assert.Single(t.Logger.Entries, e => e.Level == LogLevel.Error);
        Assert.StartsWith("Unhandled exception in a task nobody awaits: task 'job' created at", error.Message, StringComparison.Ordinal);
        Assert.Equal("ouch", error.Exception!.Message);
    }

    [Fact]
    public void With_StopOnUnhandledErrors_the_first_error_is_kept_logged_and_stops_the_loop()
    {
        using var t = new TestLoop();
        t.Loop.EnableStopOnUnhandledErrors();
        t.Loop.CreateTask(() => throw new FormatException("first"), "job");
        t.Loop.CreateTask(() => throw new FormatException("second"), "other");

        t.Loop.RunForever(); // returns because the first error stopped it

        Assert.True(t.Loop.StopOnUnhandledErrors);
        Assert.Equal("first", t.Loop.UnhandledError!.Message);
        Assert.Equal("Unhandled exception; stopping loop.", t.Logger.Lines[0]);
        var later = t.Logger.Entries[1];
        Assert.Equal("second", later.Exception!.Message);
    }

    [Fact]
    public void A_callback_that_throws_also_stops_the_loop_with_StopOnUnhandledErrors()
    {
        using var t = new TestLoop();
        t.Loop.EnableStopOnUnhandledErrors();
        bool nextTurnRan = false;
        t.Loop.CallSoon(() =>
        {
            t.Loop.CallSoon(() => nextTurnRan = true);
            throw new FormatException("in a callback");
        });

        t.Loop.RunForever();

        Assert.Equal("in a callback", t.Loop.UnhandledError!.Message);
        Assert.False(nextTurnRan);
    }

    [Fact]
    public void A_custom_handler_then_StopOnUnhandledErrors_is_refused_with_aioruns_message()
    {
        using var t = new TestLoop();
        t.Loop.SetExceptionHandler((_, _) => { });

        var error = Assert.Throws<InvalidOperationException>(t.Loop.EnableStopOnUnhandledErrors);

        Assert.Equal(
            "If you provide a loop instance, and you've configured a custom exception handler on it, then the 'stop_on_unhandled_errors' parameter is unavailable (all exceptions will be handled).",
            error.Message);
        Assert.False(t.Loop.StopOnUnhandledErrors);
    }

    [Fact]
    public void StopOnUnhandledErrors_then_a_custom_handler_is_refused_too()
    {
        using var t = new TestLoop();
        t.Loop.EnableStopOnUnhandledErrors();

        var error = Assert.Throws<InvalidOperationException>(() => t.Loop.SetExceptionHandler((_, _) => { }));

        Assert.Equal(AioLoop.StopOnUnhandledErrorsRefusal, error.Message);
        t.Loop.SetExceptionHandler(null); // restoring the default is fine
    }

    [Fact]
    public void A_custom_handler_that_stops_the_loop_lets_the_shutdown_cancel_the_other_jobs()
    {
        // aiorun's custom_stop.py: one job raises, the handler stops the loop, the other job is cancelled.
        using var t = new TestLoop();
        using var program = new AioProgram();
        AioLoop loop = program.UseLoop(t.Loop);
        var output = new List<string>();
        loop.SetExceptionHandler((l, context) =>
        {
            output.Add($"Stopping loop due to error: {context.Exception!.Message}");
            l.Stop();
        });
        loop.CreateTask(() => throw new InvalidOperationException("ouch"), "job");
        loop.CreateTask(async () =>
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (OperationCanceledException)
            {
                output.Add("other_job was cancelled!");
            }
        }, "other_job");

        loop.RunForever();
        program.EnterShutdownPhase();
        program.CancelPendingTasks();
        program.RunPendingTasksTillComplete();
        program.WaitForExecutorShutdown();
        program.Close();

        Assert.Equal(new[] { "Stopping loop due to error: ouch", "other_job was cancelled!" }, output);
        Assert.Equal(0, program.ExitCode());
    }
}
