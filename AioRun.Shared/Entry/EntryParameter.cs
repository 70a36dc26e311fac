namespace AioRun.Entry;

/// <summary>What a parameter of an <c>[AioRunEntry]</c> method receives.</summary>
internal enum EntryParameter
{
    /// <summary>None of the accepted types.</summary>
    Unsupported,

    /// <summary><c>string[] args</c>: the command line.</summary>
    Args,

    /// <summary><c>CancellationToken</c>: the main task's token.</summary>
    CancellationToken,

    /// <summary><c>AioLoop</c>: the program's loop.</summary>
    Loop,
}
