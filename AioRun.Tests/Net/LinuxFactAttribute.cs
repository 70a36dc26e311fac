using Xunit;

namespace AioRun.Tests.Net;

/// <summary>A fact about the EpollLoop, which exists on Linux only: skipped elsewhere (so a skip shows, not a pass).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Runs an EpollLoop; Linux only.";
        }
    }
}

/// <summary>A theory about the EpollLoop: skipped off Linux.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Runs an EpollLoop; Linux only.";
        }
    }
}
