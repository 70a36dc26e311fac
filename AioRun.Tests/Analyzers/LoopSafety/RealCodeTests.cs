using AioRun.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// The loop-safety rules against what they met in real code (see <see cref="RealCodeCorpus"/>): fails when a fixed false
/// positive comes back, when a real finding disappears, or when a shape gets a diagnostic its rows do not expect;
/// prints precision and recall per rule, before and now.
/// </summary>
public class RealCodeTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "AioRun.Tests", "Analyzers", "LoopSafety", "RealCode");

    private readonly ITestOutputHelper _output;

    public RealCodeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Every_labelled_diagnostic_of_the_real_code_gets_what_its_label_expects()
    {
        IReadOnlyList<RealCodeCorpus.Label> labels = RealCodeCorpus.ReadLabels(Folder);
        var reported = await RealCodeCorpus.RunRulesAsync(Folder, References.Net10, LoopSafetyAnalyzers.All);
        List<string> problems = RealCodeCorpus.Mismatches(labels, RealCodeCorpus.ReadCases(Folder), reported);

        _output.WriteLine(RealCodeCorpus.Figures(labels));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
