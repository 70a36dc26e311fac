namespace AioRun.Entry;

/// <summary>What an <c>[AioRunEntry]</c> method returns.</summary>
internal enum EntryReturn
{
    /// <summary>None of the accepted shapes.</summary>
    Unsupported,

    /// <summary><c>async void</c>: cannot be awaited, its errors crash the process.</summary>
    AsyncVoid,

    /// <summary><c>void</c>: runs before the loop (aiorun's <c>run(loop=loop)</c> without a coroutine).</summary>
    Void,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>Task&lt;int&gt;</c>: the exit code.</summary>
    TaskOfInt,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;int&gt;</c>: the exit code.</summary>
    ValueTaskOfInt,
}
