using Xunit;

namespace AioRun.Tests.Process;

/// <summary>A fact that sends POSIX signals: skipped on Windows, where they cannot be sent this way.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Sends POSIX signals to a child process; Unix only.";
        }
    }
}

/// <summary>A theory that sends POSIX signals: skipped on Windows.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Sends POSIX signals to a child process; Unix only.";
        }
    }
}
