using System.Text.RegularExpressions;
using System.Xml.Linq;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Process;

/// <summary>
/// Under NativeAOT on Linux, the package's build/AioRun.targets has every libc function AioRun imports bound when the
/// executable is linked (DirectPInvoke), instead of a search of the library directories at the first call.
/// </summary>
public class LibcBindingTests
{
    /// <summary>The entry points AioRun.Runtime/Epoll/Libc.cs imports from libc.</summary>
    public static IReadOnlyList<string> Imported() =>
        Regex.Matches(File.ReadAllText(Path.Combine(Repository.Root, "AioRun.Runtime", "Epoll", "Libc.cs")), @"LibraryImport\(Lib, EntryPoint = ""(\w+)""")
            .Select(m => m.Groups[1].Value)
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void The_targets_bind_at_link_exactly_the_libc_functions_AioRun_imports()
    {
        XDocument targets = XDocument.Load(Path.Combine(Repository.Root, "build", "AioRun.targets"));
        string[] bound = targets.Descendants("DirectPInvoke")
            .SelectMany(item => item.Attribute("Include")!.Value.Split(';'))
            .Select(entry => entry.Trim())
            .ToArray();

        Assert.All(bound, entry => Assert.StartsWith("libc!", entry, StringComparison.Ordinal));
        Assert.Equal(Imported(), bound.Select(entry => entry["libc!".Length..]).Order(StringComparer.Ordinal));
        Assert.True(Imported().Count >= 20, "Libc.cs's imports were not found: the pattern no longer matches its LibraryImport attributes.");
    }
}
