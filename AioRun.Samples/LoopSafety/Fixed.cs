namespace AioRun.Samples.LoopSafety;

/// <summary>The methods of Firing.cs after the code fixes: nothing here is reported, and the program runs it.</summary>
internal sealed class Fixed
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "aiorun-loop-safety.txt");

    /// <summary>AIO001 fixed: executor work and tracked tasks; the shutdown cancels or waits for all of them.</summary>
    public async Task UntrackedWork()
    {
        _ = Aio.RunInExecutor(() => Helpers.Compute(1_000));
        _ = Aio.CreateTask(Helpers.TickAsync);
        _ = Aio.RunInExecutor(() => Helpers.Compute(10));
        await Task.Yield();
    }

    /// <summary>AIO002 fixed: the caller still leaves at once when cancelled, and the shutdown waits for the work.</summary>
    public async Task Shield(CancellationToken token)
    {
        await Aio.ShutdownWaitsFor(Helpers.SaveStateAsync(CancellationToken.None));
    }

    /// <summary>AIO003 fixed: awaits instead of waits.</summary>
    public async Task<int> Blocking()
    {
        await Aio.Sleep(0.01);
        await File.WriteAllTextAsync(_path, "state", Aio.CancellationToken);
        string text = await File.ReadAllTextAsync(_path, Aio.CancellationToken);
        await Task.Yield();
        return text.Length + await Helpers.CountAsync();
    }

    /// <summary>AIO004 fixed: the token goes to every await that takes one.</summary>
    public async Task Cancellation(CancellationToken token)
    {
        await Task.Delay(10, token);
        await File.WriteAllTextAsync(_path, "state", token);
    }
}

/// <summary>What both versions call.</summary>
internal static class Helpers
{
    public static int Compute(int n) => Enumerable.Range(1, n).Sum();

    public static async Task TickAsync()
    {
        try
        {
            for (int i = 1; ; i++)
            {
                await Aio.Sleep(0.25);
                Console.WriteLine($"tick {i}");
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("ticker cancelled by the shutdown");
        }
    }

    public static async Task SaveStateAsync(CancellationToken token)
    {
        await Aio.Sleep(0.05, token);
        Console.WriteLine("state saved");
    }

    public static Task<int> CountAsync() => Task.FromResult(42);
}
