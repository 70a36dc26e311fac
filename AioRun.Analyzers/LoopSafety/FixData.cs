namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// Keys and values of <c>Diagnostic.Properties</c>: what the analyzer found, so that the code fix rewrites
/// without recomputing. A diagnostic whose <see cref="Fix"/> is <see cref="None"/> (or absent) has no safe fix.
/// </summary>
internal static class FixData
{
    /// <summary>Which rewrite applies (one of the values below).</summary>
    public const string Fix = "Fix";

    /// <summary>The token to pass: the name of a CancellationToken parameter of the enclosing function; absent: <c>Aio.CancellationToken</c>.</summary>
    public const string Token = "Token";

    /// <summary>How the token is passed: <see cref="Positional"/>, or the parameter name for a named argument.</summary>
    public const string TokenArgument = "TokenArgument";

    /// <summary>The name of the awaitable twin (AIO003).</summary>
    public const string Twin = "Twin";

    /// <summary>The argument of <c>Aio.Sleep</c> (AIO003): seconds as a literal, or <see cref="SleepTimeSpan"/>, <see cref="SleepMilliseconds"/>, <see cref="SleepInfinite"/>.</summary>
    public const string SleepArgument = "SleepArgument";

    /// <summary>The index of the argument to drop (the token of <c>WaitAsync</c>, AIO002).</summary>
    public const string DropArgument = "DropArgument";

    /// <summary>The index of the argument that is the cancellable delay of a <c>WhenAny</c> (AIO002).</summary>
    public const string DelayArgument = "DelayArgument";

    /// <summary>"true" when the dropped call can become a method group: <c>Aio.CreateTask(Work)</c> (AIO001).</summary>
    public const string MethodGroup = "MethodGroup";

    /// <summary>"true" when the dropped call returns a ValueTask: the lambda adds <c>.AsTask()</c> (AIO001).</summary>
    public const string ValueTask = "ValueTask";

    public const string None = "None";

    public const string Positional = "Positional";

    // AIO001
    public const string RunInExecutor = "RunInExecutor";
    public const string CreateTask = "CreateTask";
    public const string CreateTaskFromCall = "CreateTaskFromCall";
    public const string RunInExecutorFromCallback = "RunInExecutorFromCallback";
    public const string RunInExecutorFromThread = "RunInExecutorFromThread";

    // AIO002
    public const string ShieldWaitAsync = "ShieldWaitAsync";
    public const string ShieldWhenAny = "ShieldWhenAny";

    // AIO003
    public const string Await = "Await";
    public const string WhenAll = "WhenAll";
    public const string WhenAny = "WhenAny";
    public const string Sleep = "Sleep";
    public const string AsyncTwin = "AsyncTwin";
    public const string SleepTimeSpan = "TimeSpan";
    public const string SleepMilliseconds = "Milliseconds";
    public const string SleepInfinite = "Infinite";

    // AIO004
    public const string PassToken = "PassToken";
}
