using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Samples;

/// <summary>
/// The package as a new user meets it: pack AioRun to a folder, make a fresh console project that references
/// it through a nuget.config, build with warnings as errors, run, signal, and check the exit code and lines.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.PackedAioRun>
{
    private readonly PackedAioRun _package;

    public PackageTests(PackedAioRun package) => _package = package;

    [Fact]
    public void The_package_holds_the_runtime_the_roslyn_components_and_the_msbuild_files()
    {
        using ZipArchive nupkg = ZipFile.OpenRead(_package.NupkgPath);
        string[] entries = nupkg.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("lib/net8.0/AioRun.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/AioRun.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/AioRun.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/AioRun.Analyzers.CodeFixes.dll", entries);
        Assert.Contains("build/AioRun.props", entries);
        Assert.Contains("build/AioRun.targets", entries);
        Assert.DoesNotContain(entries, e => (e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("ref/", StringComparison.Ordinal))
            && !new[] { "lib/net8.0/AioRun.", "lib/net10.0/AioRun.", "ref/net8.0/AioRun.", "ref/net10.0/AioRun." }.Any(p => e.StartsWith(p, StringComparison.Ordinal)));
    }

    [UnixFact]
    public void On_linux_x64_the_package_carries_ReadyToRun_code_for_net10_and_gives_the_compiler_the_IL()
    {
        if (RuntimeInformation.OSArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
        {
            return; // packed only where the SDK's crossgen2 for linux-x64 runs
        }

        using ZipArchive nupkg = ZipFile.OpenRead(_package.NupkgPath);
        (bool ReadyToRun, Machine Machine, Guid Mvid) Read(string entry)
        {
            using var bytes = new MemoryStream();
            using (Stream stream = nupkg.GetEntry(entry)!.Open())
            {
                stream.CopyTo(bytes);
            }

            bytes.Position = 0;
            using var pe = new System.Reflection.PortableExecutable.PEReader(bytes);
            System.Reflection.Metadata.MetadataReader metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            return (pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, pe.PEHeaders.CoffHeader.Machine, metadata.GetGuid(metadata.GetModuleDefinition().Mvid));
        }

        var readyToRun = Read("lib/net10.0/AioRun.dll");
        var il = Read("lib/net8.0/AioRun.dll");
        Assert.True(readyToRun.ReadyToRun);
        Assert.NotEqual(il.Machine, readyToRun.Machine); // marked for one platform (x64, with the OS mixed in)
        Assert.False(il.ReadyToRun);
        Assert.Equal(il.Mvid, readyToRun.Mvid); // the same assembly, compiled ahead of time
        foreach (string reference in new[] { "ref/net8.0/AioRun.dll", "ref/net10.0/AioRun.dll" })
        {
            // What the compiler reads: IL for any CPU (a ReadyToRun image would be CS8012 in an AnyCPU project).
            Assert.Equal((false, il.Machine, il.Mvid), Read(reference));
        }
    }

    [Fact]
    public void AioRun_keeps_its_single_dependency_and_AioRun_Hosting_depends_on_it_and_on_the_Generic_Host()
    {
        (int exit, string output) = _package.Dotnet(
            Repository.Root,
            "pack",
            Path.Combine(Repository.Root, "AioRun.Hosting", "AioRun.Hosting.csproj"),
            "-c",
            Repository.Configuration,
            "--no-build",
            "-o",
            _package.Feed,
            "-p:PackageVersion=" + _package.Version);
        Assert.True(exit == 0, output);

        Assert.Equal(new[] { "Microsoft.Extensions.Logging.Abstractions" }, Dependencies(_package.NupkgPath).Select(d => d.Id));
        string hosting = Path.Combine(_package.Feed, $"AioRun.Hosting.{_package.Version}.nupkg");
        Assert.Equal(
            new[] { ("AioRun", _package.Version), ("Microsoft.Extensions.Hosting", "8.0.0") },
            Dependencies(hosting).OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => (d.Id, d.Version)));
        using ZipArchive nupkg = ZipFile.OpenRead(hosting);
        string[] entries = nupkg.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net8.0/AioRun.Hosting.dll", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) || e.StartsWith("build/", StringComparison.Ordinal));
    }

    /// <summary>The dependencies of a package's net8.0 group, from its nuspec.</summary>
    private static IEnumerable<(string Id, string Version)> Dependencies(string nupkgPath)
    {
        using ZipArchive nupkg = ZipFile.OpenRead(nupkgPath);
        ZipArchiveEntry nuspec = nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        System.Xml.Linq.XDocument document = System.Xml.Linq.XDocument.Load(stream);
        return document.Descendants()
            .Where(e => e.Name.LocalName == "group" && (string?)e.Attribute("targetFramework") == "net8.0")
            .SelectMany(g => g.Elements().Where(e => e.Name.LocalName == "dependency"))
            .Select(d => ((string)d.Attribute("id")!, (string)d.Attribute("version")!))
            .ToArray();
    }

    [UnixFact]
    public void A_new_console_project_with_the_package_builds_warning_free_runs_and_shuts_down_on_SIGTERM()
    {
        string app = _package.NewProject(
            "Service",
            """
            using AioRun;

            static partial class Program
            {
                [AioRunEntry]
                static async Task Main()
                {
                    Aio.CreateTask(Worker, "worker");
                    Console.WriteLine("READY");
                    await Aio.Sleep(double.PositiveInfinity);
                }

                static async Task Worker()
                {
                    try
                    {
                        await Aio.Sleep(3600);
                    }
                    catch (OperationCanceledException)
                    {
                        Console.WriteLine("worker cancelled");
                    }
                }
            }
            """,
            // The analyzers PublishAot runs: the generated program must be NativeAOT- and trim-clean in a user's build too.
            "<AioRunShutdownTimeout>5</AioRunShutdownTimeout><EnableAotAnalyzer>true</EnableAotAnalyzer><EnableTrimAnalyzer>true</EnableTrimAnalyzer>");

        (int buildExit, string buildOutput) = _package.Dotnet(app, "build", "-c", "Release");
        Assert.True(buildExit == 0, buildOutput);
        Assert.Contains(" 0 Warning(s)", buildOutput, StringComparison.Ordinal);

        using var child = ChildProcess.StartDotnetMerged(Path.Combine(app, "bin", "Release", "net10.0", "Service.dll"));
        child.WaitForLine("READY");
        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        Lines.AssertInOrder(
            child.AllLines,
            "Stopping the loop",
            "Entering shutdown phase.",
            "Cancelling pending tasks. (2 tasks)",
            "Running pending tasks till complete",
            "worker cancelled",
            "Waiting for executor shutdown.",
            "Leaving. Bye!");
    }

    [Fact]
    public void The_packaged_analyzers_report_entry_mistakes_untracked_work_and_csproj_options_out_of_range()
    {
        string app = _package.NewProject(
            "Broken",
            """
            using AioRun;

            static class Program
            {
                [AioRunEntry]
                static async Task Main() => await Aio.Sleep(1);

                static async Task Handle()
                {
                    await Task.Run(() => Console.WriteLine("untracked"));
                    _ = Task.Run(() => Console.WriteLine("dropped"));
                }
            }
            """,
            "<AioRunShutdownTimeout>-3</AioRunShutdownTimeout>");

        (int buildExit, string buildOutput) = _package.Dotnet(app, "build");

        Assert.NotEqual(0, buildExit);
        Assert.Contains("AIO100", buildOutput, StringComparison.Ordinal); // Program is not partial
        Assert.Contains("AIO001", buildOutput, StringComparison.Ordinal); // a dropped Task.Run: a warning, an error here
        Assert.Contains("AioRunShutdownTimeout", buildOutput, StringComparison.Ordinal);
        Assert.Contains("-3", buildOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("AD0001", buildOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8785", buildOutput, StringComparison.Ordinal);
    }

    /// <summary>AioRun packed once for the class, with a version of its own, into a temporary feed.</summary>
    public sealed class PackedAioRun : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "aiorun-package-test-" + Guid.NewGuid().ToString("N"));

        public PackedAioRun()
        {
            // A version no earlier run used, so that no NuGet cache hands out a stale AioRun.
            Version = "0.0.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            Feed = Path.Combine(_root, "feed");
            Directory.CreateDirectory(Feed);
            NupkgPath = Pack(Path.Combine("AioRun.Runtime", "AioRun.Runtime.csproj"), "AioRun");
        }

        public string Version { get; }

        public string Feed { get; }

        public string NupkgPath { get; }

        /// <summary>
        /// Packs a project of the repository (already built, like the tests) into the feed with <see cref="Version"/>;
        /// a project it references as a package gets the same version. Returns the .nupkg.
        /// </summary>
        public string Pack(string project, string packageId)
        {
            (int exit, string output) = Dotnet(
                Repository.Root,
                "pack",
                Path.Combine(Repository.Root, project),
                "-c",
                Repository.Configuration,
                "--no-build",
                "-o",
                Feed,
                "-p:PackageVersion=" + Version);
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed (it packs the {Repository.Configuration} build: build the solution first):" + Environment.NewLine + output);
            }

            return Path.Combine(Feed, $"{packageId}.{Version}.nupkg");
        }

        /// <summary>A new folder in this fixture's temporary folder, removed with it.</summary>
        public string NewFolder(string name)
        {
            string dir = Path.Combine(_root, name);
            Directory.CreateDirectory(dir);
            return dir;
        }

        /// <summary>A fresh console project that references the package and nothing else of the repository.</summary>
        public string NewProject(string name, string program, string extraProperties = "")
        {
            string dir = NewFolder(name);
            File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    {extraProperties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="AioRun" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
            WriteNuGetConfig(dir);
            return dir;
        }

        /// <summary>A nuget.config in <paramref name="dir"/> that adds the feed, as a user adds the folder they packed to.</summary>
        public void WriteNuGetConfig(string dir) =>
            File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="aiorun-under-test" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);

        public (int ExitCode, string Output) Dotnet(string workingDirectory, params string[] args)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            // Restores of the test projects go to a cache of their own, so the user's cache gets no test versions.
            info.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages");
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment["MSBUILDDISABLENODEREUSE"] = "1";

            using var process = System.Diagnostics.Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes.");
            }

            return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
