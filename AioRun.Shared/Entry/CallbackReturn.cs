namespace AioRun.Entry;

/// <summary>What a <c>ShutdownCallback</c> method returns.</summary>
internal enum CallbackReturn
{
    /// <summary><c>void</c>.</summary>
    Void,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,
}
