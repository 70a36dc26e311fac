using Xunit;

namespace AioRun.Tests.Process;

/// <summary>Assertions on the lines a child process printed.</summary>
internal static class Lines
{
    /// <summary>Each of <paramref name="expected"/> is one of <paramref name="lines"/>, in this order (other lines may come between).</summary>
    public static void AssertInOrder(IReadOnlyList<string> lines, params string[] expected)
    {
        int from = 0;
        foreach (string line in expected)
        {
            int at = -1;
            for (int i = from; i < lines.Count; i++)
            {
                if (lines[i] == line)
                {
                    at = i;
                    break;
                }
            }

            Assert.True(at >= 0, $"Expected '{line}' (in this order: {string.Join(" | ", expected)}) in:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
            from = at + 1;
        }
    }
}
