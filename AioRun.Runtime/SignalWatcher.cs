using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace AioRun;

/// <summary>
/// Owns the shutdown signals: SIGINT and SIGTERM on Unix; on Windows SIGINT and SIGQUIT, which .NET maps
/// to Ctrl-C and Ctrl-Break (also what a parent sends to a child started with CREATE_NEW_PROCESS_GROUP).
/// The first signal runs the reaction; every signal, first or later, is kept from terminating the process.
/// </summary>
internal sealed class SignalWatcher : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action<PosixSignal> _onFirstSignal;
    private int _fired;

    public SignalWatcher(Action<PosixSignal> onFirstSignal)
    {
        _onFirstSignal = onFirstSignal;
        PosixSignal[] signals = OperatingSystem.IsWindows()
            ? new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            : new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM };
        var registrations = new System.Collections.Generic.List<PosixSignalRegistration>(signals.Length);
        foreach (PosixSignal signal in signals)
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, Handle));
            }
            catch (PlatformNotSupportedException)
            {
                // Platforms without signals (browser, some mobile targets): nothing to own.
            }
        }

        _registrations = registrations.ToArray();
    }

    /// <summary>From now on every signal is swallowed (the shutdown has begun).</summary>
    public void SwallowAll() => Interlocked.Exchange(ref _fired, 1);

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onFirstSignal(context.Signal);
        }
    }
}
