namespace AioRun.Generator;

/// <summary>The names of the generator's pipeline steps (<c>WithTrackingName</c>), for the incremental tests.</summary>
public static class TrackingNames
{
    /// <summary>Each <c>[AioRunEntry]</c> method, parsed into a model (<see langword="null"/> when it cannot be called).</summary>
    public const string Entries = nameof(Entries);

    /// <summary>The entries that can be called.</summary>
    public const string CallableEntries = nameof(CallableEntries);

    /// <summary>The one entry the program runs (the first by name when there are several; the analyzer reports that).</summary>
    public const string ChosenEntry = nameof(ChosenEntry);

    /// <summary>The <c>AioRun*</c> MSBuild properties, parsed.</summary>
    public const string ProjectOptions = nameof(ProjectOptions);

    /// <summary>The file of the project's own top-level statements, if any.</summary>
    public const string TopLevelStatements = nameof(TopLevelStatements);

    /// <summary>What the project builds, its startup object and its top-level statements: whether it can take the program.</summary>
    public const string ProjectFacts = nameof(ProjectFacts);

    /// <summary>The program to emit: the entry with its merged options.</summary>
    public const string Program = nameof(Program);

    /// <summary>The entry whose accessors are emitted (independent of the options).</summary>
    public const string Accessors = nameof(Accessors);
}
