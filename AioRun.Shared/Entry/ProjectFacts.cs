using Microsoft.CodeAnalysis;

namespace AioRun.Entry;

/// <summary>What the project says about whether a program can be generated in it (plain, equatable data).</summary>
/// <param name="OutputKind">What the project builds.</param>
/// <param name="StartupObject">The project's <c>&lt;StartupObject&gt;</c>, if it sets one.</param>
/// <param name="TopLevelStatementsFile">The name of a file of the project's own with top-level statements, if any.</param>
internal sealed record ProjectFacts(OutputKind OutputKind, string? StartupObject, string? TopLevelStatementsFile);
