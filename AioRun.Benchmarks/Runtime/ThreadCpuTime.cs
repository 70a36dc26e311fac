using System.Runtime.InteropServices;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// The CPU time of the calling thread, where the OS gives it cheaply and precisely (Linux). On a shared
/// machine it shows what a single-threaded benchmark cost, whatever else ran meanwhile.
/// </summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryRead(out _);

    /// <summary>Nanoseconds of CPU the current thread used, or <see cref="double.NaN"/>.</summary>
    public static double Now() => IsAvailable && TryRead(out double ns) ? ns : double.NaN;

    private static bool TryRead(out double ns)
    {
        try
        {
            if (clock_gettime(ClockThreadCpuTimeId, out Timespec time) == 0)
            {
                ns = (time.Seconds * 1e9) + time.Nanoseconds;
                return true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }

        ns = double.NaN;
        return false;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clockId, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
