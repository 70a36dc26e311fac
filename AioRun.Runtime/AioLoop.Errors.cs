using System;
using System.Threading;

namespace AioRun;

/// <summary>AioLoop: unhandled errors, the exception handler and StopOnUnhandledErrors.</summary>
public partial class AioLoop
{
    /// <summary>Sets the handler for unhandled errors (failed tasks nobody awaits, callbacks that throw); <see langword="null"/> restores the default.</summary>
    /// <param name="handler">The handler; it runs on the loop thread.</param>
    /// <exception cref="InvalidOperationException"><see cref="StopOnUnhandledErrors"/> is on: the two cannot be combined.</exception>
    public void SetExceptionHandler(Action<AioLoop, AioExceptionContext>? handler)
    {
        if (handler is not null && _stopOnUnhandledErrors)
        {
            throw new InvalidOperationException(StopOnUnhandledErrorsRefusal);
        }

        _exceptionHandler = handler;
    }

    /// <summary>The handler set by <see cref="SetExceptionHandler"/>, or <see langword="null"/> for the default.</summary>
    /// <returns>The custom handler, if any.</returns>
    public Action<AioLoop, AioExceptionContext>? GetExceptionHandler() => _exceptionHandler;

    /// <summary>
    /// Makes the first unhandled error stop the loop: it is remembered in <see cref="UnhandledError"/>,
    /// <c>Unhandled exception; stopping loop.</c> is logged, and the loop stops. Later errors are logged.
    /// </summary>
    /// <exception cref="InvalidOperationException">A custom exception handler is set (aiorun refuses this combination).</exception>
    public void EnableStopOnUnhandledErrors()
    {
        if (_exceptionHandler is not null)
        {
            throw new InvalidOperationException(StopOnUnhandledErrorsRefusal);
        }

        _stopOnUnhandledErrors = true;
    }

    /// <summary>The refusal aiorun gives for a custom exception handler combined with StopOnUnhandledErrors.</summary>
    public const string StopOnUnhandledErrorsRefusal =
        "If you provide a loop instance, and you've configured a custom exception handler on it, then the 'stop_on_unhandled_errors' parameter is unavailable (all exceptions will be handled).";

    /// <summary>Hands <paramref name="context"/> to the exception handler (or the StopOnUnhandledErrors behaviour, or the default).</summary>
    /// <param name="context">What went wrong.</param>
    public void CallExceptionHandler(AioExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_stopOnUnhandledErrors && context.Exception is not null)
        {
            if (Interlocked.CompareExchange(ref _unhandledError, context.Exception, null) is null)
            {
                Log.StoppingOnUnhandled(_logger);
                Stop();
            }
            else
            {
                DefaultExceptionHandler(context);
            }

            return;
        }

        Action<AioLoop, AioExceptionContext>? handler = _exceptionHandler;
        if (handler is null)
        {
            DefaultExceptionHandler(context);
            return;
        }

        try
        {
            handler(this, context);
        }
        catch (Exception ex)
        {
            DefaultExceptionHandler(new AioExceptionContext("Unhandled error in the exception handler", ex, context.Task));
        }
    }

    /// <summary>
    /// Hands <paramref name="context"/> to the exception handler from another thread (the GC's finalizer, say): on the
    /// loop, in its next turn; once the loop is closed, to the default handler here, since no handler will run again.
    /// </summary>
    internal void ReportFromAnotherThread(AioExceptionContext context)
    {
        if (IsClosed)
        {
            DefaultExceptionHandler(context);
            return;
        }

        CallSoonThreadsafe(static state => { var (loop, context) = ((AioLoop, AioExceptionContext))state!; loop.CallExceptionHandler(context); }, (this, context));
    }

    /// <summary>The default reaction to an unhandled error: log it with its stack trace and keep running.</summary>
    /// <param name="context">What went wrong.</param>
    public void DefaultExceptionHandler(AioExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Log.UnhandledError(_logger, context.Describe(), context.Exception);
    }
}
