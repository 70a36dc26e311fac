using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace AioRun.Benchmarks.Peers;

/// <summary>
/// The subject apps of the peers benchmark (<c>AioRun.Benchmarks/subjects/</c>), published once per set of inputs:
/// framework-dependent (JIT, run through the app host as <c>dotnet new console</c> makes it) and NativeAOT (with
/// invariant globalization, as <c>dotnet new console --aot</c> makes it); the AioRun subjects reference the AioRun package,
/// packed from the repository. A publish is kept under
/// <c>artifacts/peers/&lt;subject&gt;-&lt;kind&gt;-&lt;hash of its inputs&gt;</c>, so a later run with the same sources reuses it.
/// </summary>
internal static class Subjects
{
    public const string Sleepers = "Sleepers";
    public const string EmptyEntry = "EmptyEntry";
    public const string PlainConsole = "PlainConsole";
    public const string SignalFloor = "SignalFloor";

    /// <summary>The repository root (the folder with AioRun.sln), found from the benchmark's own folder.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The subject's executable, published if its inputs changed since the last publish.</summary>
    public static string Executable(string subject, bool native)
    {
        string kind = native ? "native" : "jit";
        string hash = InputHash(subject, native);
        string folder = Path.Combine(Root, "artifacts", "peers", $"{subject}-{kind}-{hash}");
        string executable = Path.Combine(folder, subject);
        if (File.Exists(executable))
        {
            return executable;
        }

        Console.Error.Write($"  publishing {subject} ({kind}) ...");
        var clock = Stopwatch.StartNew();
        Publish(subject, native, folder);
        Console.Error.WriteLine($" {clock.Elapsed.TotalSeconds:F0} s");
        foreach (string stale in Directory.EnumerateDirectories(Path.GetDirectoryName(folder)!, $"{subject}-{kind}-*").Where(d => d != folder))
        {
            Directory.Delete(stale, recursive: true);
        }

        return executable;
    }

    private static void Publish(string subject, bool native, string output)
    {
        string project = Path.Combine(Root, "AioRun.Benchmarks", "subjects", subject, subject + ".csproj");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        var args = new List<string> { "publish", project, "-c", "Release", "-o", output, "--nologo", "-nodeReuse:false" };
        if (subject is not (PlainConsole or SignalFloor))
        {
            // AioRun as a package user has it (with its ReadyToRun code where the package carries it), not as a project reference.
            (string feed, string version) = Package();
            args.AddRange([$"-p:AioRunPackageVersion={version}", $"-p:RestoreAdditionalProjectSources={feed}"]);
        }

        if (native)
        {
            args.AddRange(["-r", RuntimeInformation.RuntimeIdentifier, "-p:PeersNative=true"]);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process publish = Process.Start(info)!;
        Task<string> stdout = publish.StandardOutput.ReadToEndAsync();
        Task<string> stderr = publish.StandardError.ReadToEndAsync();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            publish.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish of {subject} did not finish in 15 minutes.");
        }

        if (publish.ExitCode != 0 || !File.Exists(Path.Combine(output, subject)))
        {
            throw new InvalidOperationException(
                $"dotnet publish of {subject} failed (exit code {publish.ExitCode}):{Environment.NewLine}{stdout.Result}{stderr.Result}");
        }
    }

    private static readonly string[] PackageInputs = ["AioRun.Runtime", "AioRun.Shared", "AioRun.Generator", "AioRun.Analyzers", "AioRun.Analyzers.CodeFixes", "build", "README.md"];

    /// <summary>
    /// The AioRun package, packed into <c>artifacts/peers/feed</c> once per set of its inputs, with a version of its own
    /// (<c>0.1.0-peers.&lt;hash&gt;</c>), so that NuGet's package cache never hands out an older build under the same version.
    /// </summary>
    private static (string Feed, string Version) Package()
    {
        string feed = Path.Combine(Root, "artifacts", "peers", "feed");
        string version = "0.1.0-peers." + Hash(PackageInputs, "package");
        if (File.Exists(Path.Combine(feed, $"AioRun.{version}.nupkg")))
        {
            return (feed, version);
        }

        Console.Error.Write($"  packing AioRun {version} ...");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        foreach (string arg in new[] { "pack", Path.Combine(Root, "AioRun.Runtime", "AioRun.Runtime.csproj"), "-c", "Release", "-o", feed, "--nologo", "-nodeReuse:false", "-p:PackageVersion=" + version })
        {
            info.ArgumentList.Add(arg);
        }

        using Process pack = Process.Start(info)!;
        Task<string> stdout = pack.StandardOutput.ReadToEndAsync();
        Task<string> stderr = pack.StandardError.ReadToEndAsync();
        pack.WaitForExit();
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack of AioRun failed (exit code {pack.ExitCode}):{Environment.NewLine}{stdout.Result}{stderr.Result}");
        }

        foreach (string stale in Directory.EnumerateFiles(feed, "AioRun.*.nupkg").Where(f => !f.EndsWith($"AioRun.{version}.nupkg", StringComparison.Ordinal)))
        {
            File.Delete(stale);
        }

        Console.Error.WriteLine(" done");
        return (feed, version);
    }

    /// <summary>A hash of every source the subject is made from (file names and contents).</summary>
    private static string InputHash(string subject, bool native)
    {
        string[] folders = subject is PlainConsole or SignalFloor
            ? [Path.Combine("AioRun.Benchmarks", "subjects", subject)]
            : [.. PackageInputs, Path.Combine("AioRun.Benchmarks", "subjects", subject)];
        return Hash(folders, RuntimeInformation.RuntimeIdentifier + (native ? " native" : " jit"));
    }

    private static string Hash(string[] inputs, string salt)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(salt));
        string[] folders = inputs.Where(i => Directory.Exists(Path.Combine(Root, i))).ToArray();
        string[] single = inputs.Where(i => File.Exists(Path.Combine(Root, i))).ToArray();
        IEnumerable<string> files = folders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Root, folder), "*", SearchOption.AllDirectories))
            .Concat(single.Concat(["Directory.Build.props", "Directory.Packages.props", "global.json"]).Select(file => Path.Combine(Root, file)))
            .Where(file => File.Exists(file) && !IsBuildOutput(file))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(Root, file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static bool IsBuildOutput(string file)
    {
        string relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
        return relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (string? folder = AppContext.BaseDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "AioRun.sln")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException($"No AioRun.sln above {AppContext.BaseDirectory}; run the benchmark from the repository.");
    }
}
