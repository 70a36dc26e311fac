using System;

namespace AioRun;

/// <summary>What the loop hands its exception handler: a message, and the exception and task involved, if any.</summary>
public sealed class AioExceptionContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="message">What happened, in a few words.</param>
    /// <param name="exception">The exception, if any.</param>
    /// <param name="task">The task involved, if any.</param>
    public AioExceptionContext(string message, Exception? exception = null, AioTask? task = null)
    {
        Message = message ?? throw new ArgumentNullException(nameof(message));
        Exception = exception;
        Task = task;
    }

    /// <summary>What happened, in a few words.</summary>
    public string Message { get; }

    /// <summary>The exception, if any.</summary>
    public Exception? Exception { get; }

    /// <summary>The task involved, if any.</summary>
    public AioTask? Task { get; }

    /// <summary>The message with the task's name and creation site, for logs.</summary>
    /// <returns>A one-line description.</returns>
    public string Describe() => Task is null
        ? Message
        : $"{Message}: task '{Task.Name}' created at {Task.CreationSite}";

    /// <inheritdoc/>
    public override string ToString() => Exception is null ? Describe() : Describe() + ": " + Exception.Message;
}
