using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace AioRun;

/// <summary>
/// Owns the shutdown signals: SIGINT and SIGTERM on Unix; on Windows SIGINT and SIGQUIT, which .NET maps
/// to Ctrl-C and Ctrl-Break (also what a parent sends to a child started with CREATE_NEW_PROCESS_GROUP).
/// On Unix it also owns <see cref="ReportSignal"/> (SIGUSR1), which asks for the task report.
/// Every signal is kept from terminating the process and forwarded; what it means is the owner's decision.
/// </summary>
internal sealed class SignalWatcher : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action<PosixSignal> _onSignal;

    /// <summary>Takes the signals over at once.</summary>
    /// <param name="onSignal">Called for each signal, on the thread the runtime delivers it on.</param>
    public SignalWatcher(Action<PosixSignal> onSignal)
    {
        _onSignal = onSignal;
        PosixSignal[] signals = OperatingSystem.IsWindows()
            ? new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            : ReportSignal is { } report
                ? new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, report }
                : new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM };
        var registrations = new List<PosixSignalRegistration>(signals.Length);
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

    /// <summary>
    /// SIGUSR1, the signal that asks for the task report, by its number on this platform (.NET names only the portable
    /// signals): 10 on Linux, 30 on macOS and the BSDs; <see langword="null"/> where there is none (Windows).
    /// </summary>
    public static PosixSignal? ReportSignal { get; } =
        OperatingSystem.IsLinux() || OperatingSystem.IsAndroid() ? (PosixSignal)10
        : OperatingSystem.IsMacOS() || OperatingSystem.IsMacCatalyst() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsFreeBSD() ? (PosixSignal)30
        : null;

    /// <summary>Gives the signals back: from now on they have their default effect again.</summary>
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        // Even a signal the owner ignores must not kill the process under the shutdown (nor SIGUSR1's default action).
        context.Cancel = true;
        _onSignal(context.Signal);
    }
}
