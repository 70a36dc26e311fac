using AioRun.Analyzers.LoopSafety;
using Xunit;
using Verify = AioRun.Tests.Analyzers.LoopSafety.AnalyzerVerifier<AioRun.Analyzers.LoopSafety.BlockingCallAnalyzer>;

namespace AioRun.Tests.Analyzers.LoopSafety;

public class ProbeTests
{
    [Fact]
    public Task Probe() => Verify.VerifyAsync(TestReferences.InClass("""
            async Task M(Task<int> t)
            {
                await Task.Yield();
                var x = [|t.Result|];
                [|Thread.Sleep(10)|];
                var s = [|File.ReadAllText("a")|];
            }
        """));
}
