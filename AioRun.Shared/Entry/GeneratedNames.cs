namespace AioRun.Entry;

/// <summary>The names of what the generator emits, which the analyzers must recognise.</summary>
internal static class GeneratedNames
{
    /// <summary>The hint name of the generated program (the file of top-level statements).</summary>
    public const string ProgramHintName = "AioRun.Program.g.cs";

    /// <summary>The hint name of the generated accessors.</summary>
    public const string AccessorsHintName = "AioRun.EntryAccessors.g.cs";

    /// <summary>The prefix of the generated accessors' names; a user member with such a name would clash with them.</summary>
    public const string AccessorPrefix = "__AioRun_";

    /// <summary>The tool name in the generated accessors' [GeneratedCode].</summary>
    public const string GeneratorName = "AioRun.Generator";
}
