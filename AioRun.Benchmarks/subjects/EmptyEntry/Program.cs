using AioRun;

namespace EmptyEntry;

/// <summary>The smallest AioRun program that ends by itself: the entry stops the loop, the shutdown runs, exit code 0.</summary>
public static partial class Program
{
    [AioRunEntry]
    public static Task Main()
    {
        Aio.Stop();
        return Task.CompletedTask;
    }
}
