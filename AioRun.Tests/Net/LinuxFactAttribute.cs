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
