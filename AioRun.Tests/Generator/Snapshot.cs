using AioRun.Generator;
using AioRun.Tests.Support;
using Xunit.Sdk;

namespace AioRun.Tests.Generator;

/// <summary>
/// Snapshot files of generated code, kept in the repository (<c>Generator/Snapshots/NAME.verified.txt</c>): the
/// program and the accessors the generator writes for one case, in one file, the generator's version scrubbed (so a
/// version bump changes no snapshot). The tests give them to the testing framework as the expected generated
/// sources. They are rewritten from the generator's output only when the environment variable
/// <c>AIORUN_UPDATE_SNAPSHOTS=1</c> is set, never silently.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "AIORUN_UPDATE_SNAPSHOTS";

    private const string ProgramHeader = $"// ---- {Emitter.ProgramHintName}\n";

    private const string AccessorsHeader = $"\n// ---- {Emitter.AccessorsHintName}\n";

    /// <summary>The generator's version, as its <c>[GeneratedCode]</c> attributes carry it.</summary>
    private static readonly string GeneratorVersion =
        $"\"AioRun.Generator\", \"{typeof(AioRunEntryGenerator).Assembly.GetName().Version}\"";

    private const string GeneratorVersionPlaceholder = "\"AioRun.Generator\", \"{generator version}\"";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static string PathOf(string name) => Path.Combine(Repository.Root, "AioRun.Tests", "Generator", "Snapshots", name + ".verified.txt");

    /// <summary>What to add to a failure of a case: which snapshot it was compared with, and how to accept a change.</summary>
    public static string HowToAccept(string name) =>
        $"The expected generated sources are the snapshot {PathOf(name)}. If the generated code changed on purpose, run the tests with {UpdateVariable}=1 to rewrite the snapshot from the generator's output, and review its diff.";

    /// <summary>The program and the accessors the snapshot holds, exactly as the generator writes them (its version put back).</summary>
    public static (string Program, string Accessors) Read(string name)
    {
        string path = PathOf(name);
        if (!File.Exists(path))
        {
            throw new XunitException($"No snapshot {path}: run the tests with {UpdateVariable}=1 to write it from the generator's output, and review it.");
        }

        string text = File.ReadAllText(path)
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace(GeneratorVersionPlaceholder, GeneratorVersion, StringComparison.Ordinal);
        int accessors = text.IndexOf(AccessorsHeader, StringComparison.Ordinal);
        if (!text.StartsWith(ProgramHeader, StringComparison.Ordinal) || accessors < 0)
        {
            throw new XunitException($"The snapshot {path} does not hold '{ProgramHeader.Trim()}' then '{AccessorsHeader.Trim()}'.");
        }

        return (text[ProgramHeader.Length..accessors], text[(accessors + AccessorsHeader.Length)..]);
    }

    public static void Write(string name, string program, string accessors) =>
        File.WriteAllText(PathOf(name), (ProgramHeader + program + AccessorsHeader + accessors).Replace(GeneratorVersion, GeneratorVersionPlaceholder, StringComparison.Ordinal));
}
