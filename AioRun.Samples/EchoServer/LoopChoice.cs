using AioRun;

/// <summary>
/// The echo samples' loop switch: <c>--loop epoll|default</c> on the command line, else <c>AIORUN_SAMPLE_LOOP</c>; and
/// the program [AioRunEntry] would generate, written out with AioProgram so that the loop is chosen at run time.
/// </summary>
static class LoopChoice
{
    public const string Variable = "AIORUN_SAMPLE_LOOP";

    /// <summary>Whether the EpollLoop was asked for; takes <c>--loop NAME</c> out of <paramref name="args"/>.</summary>
    public static bool WantsEpoll(ref string[] args)
    {
        string? choice = Environment.GetEnvironmentVariable(Variable);
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--loop" && i + 1 < args.Length)
            {
                choice = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        args = rest.ToArray();
        return choice switch
        {
            null or "" or "default" => false,
            "epoll" => true,
            _ => throw new ArgumentException($"Unknown loop '{choice}' (from --loop or {Variable}); use 'default' or 'epoll'."),
        };
    }

    /// <summary>Runs <paramref name="main"/> as the task <c>main</c> on the chosen loop, through aiorun's whole shutdown; returns the exit code.</summary>
    public static int Run(bool epoll, Func<Task> main)
    {
        // 1. Signals; 2. the loop and the main task; 3.-7. aiorun's shutdown sequence; 8. the exit code.
        using var program = new AioProgram();
        program.RegisterSignalHandlers();
        AioLoop loop;
        try
        {
            loop = program.UseLoop(epoll ? new EpollLoop() : new AioLoop());
        }
        catch (Exception error)
        {
            return AioProgram.ReportFatal(error); // e.g. EpollLoop on a system without epoll
        }

        AioTask task = loop.CreateTask(main, "main");
        program.NotifyReadyWhenDone(task);
        loop.RunForever();
        program.EnterShutdownPhase();
        program.RunShutdownParticipants();
        program.CancelPendingTasks();
        program.RunPendingTasksTillComplete();
        program.WaitForExecutorShutdown();
        program.Close();
        return program.ExitCode(task);
    }
}
