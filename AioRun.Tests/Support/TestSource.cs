using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace AioRun.Tests.Support;

/// <summary>
/// Test sources: the usings every one starts with (a raw compilation has none of those an SDK project gets
/// implicitly), and the pieces that put a test's code into a compilable file.
/// </summary>
internal static class TestSource
{
    /// <summary>The usings the .NET SDK gives a console app (<c>ImplicitUsings</c>), and AioRun's, one per line.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using AioRun;

        """;

    /// <summary><see cref="Usings"/> in the <c>global using</c> form of the SDK's GlobalUsings.g.cs, for a file beside a project's own files.</summary>
    public static readonly string GlobalUsings = Usings.Replace("using ", "global using ", StringComparison.Ordinal);

    /// <summary><paramref name="members"/> inside <c>partial class C</c>, after <see cref="Usings"/>, then <paramref name="helpers"/>.</summary>
    public static string InClass(string members, string helpers = "") =>
        Usings + "partial class C\n{\n" + members + (helpers.Length > 0 ? "\n" + helpers + "\n" : "") + "}\n";

    /// <summary>
    /// A source as the compiler sees it: the testing framework's markup (<c>{|#0:...|}</c>, <c>[|...|]</c>) taken out,
    /// for a source that goes to the testing framework in one test and to the plain driver in another.
    /// </summary>
    public static string WithoutMarkup(string source)
    {
        TestFileMarkupParser.GetSpans(source, out string text, out ImmutableDictionary<string, ImmutableArray<TextSpan>> _);
        return text;
    }
}
