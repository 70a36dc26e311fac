using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using AioRun.Tests.Support;

namespace AioRun.Tests.Process;

/// <summary>
/// AioRun.Samples/NativeService published with NativeAOT for this machine, once per test run. The native binary is
/// kept under <c>artifacts/native/&lt;hash of its inputs&gt;</c>, so a later run with the same AioRun and sample sources
/// reuses it instead of publishing again (a publish takes about a minute on two cores).
/// </summary>
public sealed class NativeServiceBuild
{
    private const string Name = "NativeService";

    private static readonly string[] Inputs =
    {
        "AioRun.Runtime", "AioRun.Shared", "AioRun.Generator", "AioRun.Analyzers", "build", Path.Combine("AioRun.Samples", Name),
    };

    public NativeServiceBuild()
    {
        JitDll = Repository.SampleDll(Name);
        string output = Path.Combine(Repository.Root, "artifacts", "native", InputHash());
        Binary = Path.Combine(output, Name);
        if (!File.Exists(Binary))
        {
            Publish(output);
            foreach (string stale in Directory.EnumerateDirectories(Path.GetDirectoryName(output)!).Where(d => d != output))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
    }

    /// <summary>The sample as the tests' build made it, run with <c>dotnet</c>.</summary>
    public string JitDll { get; }

    /// <summary>The NativeAOT executable.</summary>
    public string Binary { get; }

    /// <summary>Starts the sample, native or not, with standard output and error read as lines.</summary>
    public ChildProcess Start(bool native, params string[] args) => Start(native, new Dictionary<string, string?>(), args);

    /// <summary>Starts the sample, native or not, with <paramref name="environment"/> added to its environment.</summary>
    public ChildProcess Start(bool native, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        if (!native)
        {
            return ChildProcess.StartDotnet(JitDll, environment, args);
        }

        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in environment)
        {
            info.Environment[name] = value;
        }

        return ChildProcess.Start(info);
    }

    private static void Publish(string output)
    {
        string project = Path.Combine(Repository.Root, "AioRun.Samples", Name, Name + ".csproj");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (string arg in new[] { "publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", output, "--nologo", "--disable-build-servers", "-nodeReuse:false" })
        {
            info.ArgumentList.Add(arg);
        }

        using var publish = System.Diagnostics.Process.Start(info)!;
        Task<string> stdout = publish.StandardOutput.ReadToEndAsync();
        Task<string> stderr = publish.StandardError.ReadToEndAsync();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            publish.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish of the NativeAOT sample did not finish in 15 minutes.");
        }

        string log = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        if (publish.ExitCode != 0 || !File.Exists(Path.Combine(output, Name)))
        {
            throw new InvalidOperationException($"dotnet publish of the NativeAOT sample failed (exit code {publish.ExitCode}):{Environment.NewLine}{log}");
        }
    }

    /// <summary>A hash of every source the native binary is made from (file names and contents).</summary>
    private static string InputHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(RuntimeInformation.RuntimeIdentifier));
        IEnumerable<string> files = Inputs
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*", SearchOption.AllDirectories))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(file => Path.Combine(Repository.Root, file)))
            .Where(file => !IsBuildOutput(file))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(Repository.Root, file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static bool IsBuildOutput(string file)
    {
        string relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
        return relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal);
    }
}
