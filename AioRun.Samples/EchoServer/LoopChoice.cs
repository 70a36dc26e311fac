using AioRun;

/// <summary>The sample's loop switch: <c>--loop epoll|default</c> on the command line, else <c>AIORUN_SAMPLE_LOOP</c>.</summary>
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
}
