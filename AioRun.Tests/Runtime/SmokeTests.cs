using AioRun;
using Xunit;

namespace AioRun.Tests.Runtime;

public class SmokeTests
{
    [Fact]
    public void A_task_runs_on_the_loop_and_its_result_comes_back()
    {
        using var loop = new AioLoop();
        var task = loop.CreateTask(async () =>
        {
            await Task.Yield();
            return 42;
        });
        Assert.Equal(42, loop.RunUntilComplete(task));
    }
}
