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

    /// <summary>
    /// Each of <paramref name="fragments"/> is part of one of <paramref name="lines"/>, in this order: for a program that logs
    /// through a logger with its own prefix (<c>info: AioRun[2] Entering shutdown phase.</c>).
    /// </summary>
    public static void AssertInOrderContaining(IReadOnlyList<string> lines, params string[] fragments)
    {
        int from = 0;
        foreach (string fragment in fragments)
        {
            int at = -1;
            for (int i = from; i < lines.Count; i++)
            {
                if (lines[i].Contains(fragment, StringComparison.Ordinal))
                {
                    at = i;
                    break;
                }
            }

            Assert.True(at >= 0, $"Expected a line with '{fragment}' (in this order: {string.Join(" | ", fragments)}) in:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
            from = at + 1;
        }
    }
}
