using System.Reflection;

namespace AioRun.Tests.Support;

/// <summary>Where the repository is, and where a sample's build output is (recorded at build time).</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    /// <summary>The built .dll of the sample in <c>AioRun.Samples/<paramref name="name"/></c>.</summary>
    public static string SampleDll(string name)
    {
        string dll = Path.Combine(Root, "AioRun.Samples", name, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The sample {name} is not built (expected {dll}).", dll);
    }

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
