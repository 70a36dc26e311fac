using Xunit;

namespace AioRun.Tests.Net;

/// <summary>A fact about what exists on Linux only (the EpollLoop, the default logger's own standard error): skipped elsewhere (so a skip shows, not a pass).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only.";
        }
    }
}

/// <summary>A theory about what exists on Linux only: skipped elsewhere.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only.";
        }
    }
}

/// <summary>A theory that needs IPv6 on this machine (a ::1 to connect to): skipped where the system has none.</summary>
public sealed class IPv6TheoryAttribute : TheoryAttribute
{
    public IPv6TheoryAttribute()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            Skip = "This system has no IPv6.";
        }
    }
}
