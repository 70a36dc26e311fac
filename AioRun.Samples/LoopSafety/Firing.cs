namespace AioRun.Samples.LoopSafety;

/// <summary>
/// Code that breaks each loop-safety rule. Every line that a rule reports ends with a comment naming the rule;
/// Fixed.cs has the same methods after the code fixes. Nothing here is run.
/// </summary>
internal sealed class Firing
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "aiorun-loop-safety.txt");

    /// <summary>AIO001: work that the shutdown neither cancels nor waits for.</summary>
    public async Task UntrackedWork()
    {
        _ = Task.Run(() => Helpers.Compute(1_000)); // AIO001
        _ = Helpers.TickAsync(); // AIO001
        new Thread(() => Helpers.Compute(10)).Start(); // AIO001
        await Task.Yield();
    }

    /// <summary>AIO002: a shield; the caller leaves at shutdown, the work goes on, and the process exits under it.</summary>
    public async Task Shield(CancellationToken token)
    {
        await Helpers.SaveStateAsync(CancellationToken.None).WaitAsync(token); // AIO002
    }

    /// <summary>AIO003: calls that block the loop thread.</summary>
    public async Task<int> Blocking()
    {
        Thread.Sleep(10); // AIO003
        File.WriteAllText(_path, "state"); // AIO003
        string text = File.ReadAllText(_path); // AIO003
        await Task.Yield();
        return text.Length + Helpers.CountAsync().Result; // AIO003
    }

    /// <summary>AIO004: awaits that the shutdown cannot cancel.</summary>
    public async Task Cancellation(CancellationToken token)
    {
        await Task.Delay(10); // AIO004
        await File.WriteAllTextAsync(_path, "state"); // AIO004
    }
}
