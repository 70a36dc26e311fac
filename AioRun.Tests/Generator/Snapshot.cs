using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace AioRun.Tests.Generator;

/// <summary>
/// Snapshot files of generated code, kept in the repository (<c>Snapshots/NAME.verified.txt</c>) and compared on
/// every run. A mismatch writes <c>NAME.received.txt</c> beside it and fails with a diff. The snapshots are rewritten
/// only when the environment variable <c>AIORUN_UPDATE_SNAPSHOTS=1</c> is set. The generator's version is scrubbed.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "AIORUN_UPDATE_SNAPSHOTS";

    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.txt");
        string received = Path.Combine(directory, name + ".received.txt");
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        if (!File.Exists(verified))
        {
            File.WriteAllText(received, actual);
            throw new XunitException($"No snapshot {verified}. The output was written to {received}; review it and run the tests with {UpdateVariable}=1 to accept it.");
        }

        string expected = Normalize(File.ReadAllText(verified));
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        throw new XunitException($"The generated code differs from the snapshot {verified} (written to {received}; run with {UpdateVariable}=1 to accept it):\n{Diff(expected, actual)}");
    }

    /// <summary>The generator's version, as its <c>[GeneratedCode]</c> attributes carry it: scrubbed, so a version bump changes no snapshot.</summary>
    private static readonly string GeneratorVersion =
        $"\"AioRun.Generator\", \"{typeof(AioRun.Generator.AioRunEntryGenerator).Assembly.GetName().Version}\"";

    private const string GeneratorVersionPlaceholder = "\"AioRun.Generator\", \"{generator version}\"";

    private static string Normalize(string text) => text
        .Replace("\r\n", "\n", StringComparison.Ordinal)
        .Replace(GeneratorVersion, GeneratorVersionPlaceholder, StringComparison.Ordinal);

    /// <summary>A line diff (longest common subsequence): '-' expected only, '+' actual only, with two lines of context.</summary>
    internal static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n');
        string[] b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Mark, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var output = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            bool near = false;
            for (int k = Math.Max(0, i - 2); k <= Math.Min(lines.Count - 1, i + 2) && !near; k++)
            {
                near = lines[k].Mark != ' ';
            }

            if (near)
            {
                output.Append(lines[i].Mark).Append(' ').Append(lines[i].Text).Append('\n');
            }
        }

        return output.ToString();
    }
}
