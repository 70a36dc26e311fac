using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Xunit;

namespace AioRun.Tests.Samples;

/// <summary>
/// The <c>dotnet new aiorun</c> template as a new user meets it: packed, installed into a private template hive,
/// a project created from it, pointed at the freshly packed AioRun by a nuget.config, built with warnings as errors,
/// run, and stopped with SIGTERM.
/// </summary>
public sealed class TemplateTests : IClassFixture<TemplateTests.InstalledTemplate>
{
    private static readonly string[] ShutdownLines =
    {
        "Stopping the loop",
        "Entering shutdown phase.",
        "Running pending tasks till complete",
        "Waiting for executor shutdown.",
        "Leaving. Bye!",
    };

    private readonly InstalledTemplate _template;

    public TemplateTests(InstalledTemplate template) => _template = template;

    [UnixFact]
    public void A_new_project_from_the_template_builds_warning_free_runs_and_shuts_down_on_SIGTERM()
    {
        string app = _template.Create("Acme.Orders");

        string dll = _template.Build(app, "Acme.Orders");

        using var child = ChildProcess.StartDotnetMerged(dll);
        child.WaitForLine("working");
        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        IReadOnlyList<string> lines = child.AllLines;
        Lines.AssertInOrder(lines, ShutdownLines);
        Lines.AssertInOrder(lines, "Running pending tasks till complete", "worker stopped", "Waiting for executor shutdown.");
        // The worker, and main if its first second was not over yet.
        Assert.Single(lines, l => Regex.IsMatch(l, @"^Cancelling pending tasks\. \([12] tasks?\)$"));
    }

    [UnixFact]
    public void The_hosted_variant_builds_warning_free_runs_its_worker_on_the_host_and_shuts_down_on_SIGTERM()
    {
        _template.PackHosting();
        string app = _template.Create("Acme.HostedOrders", "--hosted");

        string dll = _template.Build(app, "Acme.HostedOrders");

        using var child = ChildProcess.StartDotnetMerged(dll);
        // The console logger puts a message on its own, indented line under "info: Category[0]".
        child.WaitForLines(l => l.Trim().StartsWith("Worker started; working every", StringComparison.Ordinal), 1, "the worker's first line");
        child.Signal(PosixSignal.SIGTERM);

        Assert.True(child.WaitForExit() == 0, child.Transcript);
        List<string> lines = child.AllLines.Select(l => l.Trim()).ToList();
        Lines.AssertInOrder(lines, ShutdownLines);
        Lines.AssertInOrder(lines, "Entering shutdown phase.", "Worker stopped.", "Leaving. Bye!");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Each_variant_gets_its_files_and_the_AIO_rules_as_warnings(bool hosted)
    {
        string name = hosted ? "Acme.FilesHosted" : "Acme.Files";
        string app = hosted ? _template.Create(name, "--hosted") : _template.Create(name);

        string[] files = Directory.GetFiles(app).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        string[] expected = hosted
            ? new[] { ".dockerignore", ".editorconfig", "Dockerfile", name + ".csproj", "Program.cs", "Worker.cs", "appsettings.json", "nuget.config" }
            : new[] { ".dockerignore", ".editorconfig", "Dockerfile", name + ".csproj", "Program.cs", "nuget.config" };
        Assert.Equal(expected.Order(StringComparer.Ordinal), files);

        string program = File.ReadAllText(Path.Combine(app, "Program.cs"));
        Assert.Contains($"namespace {name};", program, StringComparison.Ordinal);
        Assert.Contains("static partial class Program", program, StringComparison.Ordinal);
        // The hosted variant ends with exit code 1 when the host fails to start, as host.Run() would.
        Assert.Contains(hosted ? "[AioRunEntry(StopOnUnhandledErrors = true)]" : "[AioRunEntry]", program, StringComparison.Ordinal);
        Assert.Contains(hosted ? "static async Task Main(string[] args)" : "static async Task Main()", program, StringComparison.Ordinal);
        Assert.Equal(hosted, program.Contains("builder.UseAioRun();", StringComparison.Ordinal));

        XElement project = XElement.Load(Path.Combine(app, name + ".csproj"));
        Assert.Equal("net10.0", project.Descendants("TargetFramework").Single().Value);
        string[] packages = project.Descendants("PackageReference").Select(r => $"{r.Attribute("Include")!.Value} {r.Attribute("Version")!.Value}").ToArray();
        Assert.Equal(hosted ? new[] { $"AioRun {_template.Version}", $"AioRun.Hosting {_template.Version}" } : new[] { $"AioRun {_template.Version}" }, packages);

        string[] editorconfig = File.ReadAllLines(Path.Combine(app, ".editorconfig"));
        foreach (string rule in new[] { "AIO001", "AIO002", "AIO003", "AIO004" })
        {
            Assert.Contains($"dotnet_diagnostic.{rule}.severity = warning", editorconfig);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_Dockerfile_builds_in_two_stages_runs_the_app_as_PID_1_in_exec_form_and_stops_within_the_grace_period(bool hosted)
    {
        string name = hosted ? "Acme.DockerHosted" : "Acme.Docker";
        string app = hosted ? _template.Create(name, "--hosted") : _template.Create(name);

        List<(string Keyword, string Arguments)> instructions = DockerInstructions(File.ReadAllLines(Path.Combine(app, "Dockerfile")));

        // Multi-stage: the SDK builds, the final stage only runs.
        Assert.True(instructions.Count(i => i.Keyword == "FROM") >= 2, "a multi-stage build");
        Assert.Contains(instructions, i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
        List<(string Keyword, string Arguments)> final = instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime:", final[0].Arguments, StringComparison.Ordinal);

        // The exec form (a JSON array): dotnet itself is PID 1 and gets docker stop's SIGTERM; no shell in between.
        (string _, string entrypoint) = Assert.Single(final, i => i.Keyword == "ENTRYPOINT");
        Assert.StartsWith("[", entrypoint, StringComparison.Ordinal);
        Assert.Equal(new[] { "dotnet", name + ".dll" }, JsonSerializer.Deserialize<string[]>(entrypoint));
        Assert.DoesNotContain(final, i => i.Keyword == "CMD");
        Assert.Contains(Assert.Single(final, i => i.Keyword == "STOPSIGNAL").Arguments, new[] { "SIGTERM", "SIGINT" });

        // Docker waits 10 s before SIGKILL: the shutdown timeout the project sets must end before that. On the Generic
        // Host, the host's ShutdownTimeout (for the services' StopAsync) comes first, and the two add up.
        XElement project = XElement.Load(Path.Combine(app, name + ".csproj"));
        double timeout = double.Parse(project.Descendants("AioRunShutdownTimeout").Single().Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timeout, 1, 9);
        string program = File.ReadAllText(Path.Combine(app, "Program.cs"));
        Match hostTimeout = Regex.Match(program, @"options\.ShutdownTimeout = TimeSpan\.FromSeconds\((\d+)\)");
        Assert.Equal(hosted, hostTimeout.Success);
        double total = timeout + (hosted ? double.Parse(hostTimeout.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
        Assert.InRange(total, 1, 9);
    }

    [Fact]
    public void The_template_references_the_version_of_AioRun_this_repository_packs()
    {
        using JsonDocument template = JsonDocument.Parse(File.ReadAllText(Path.Combine(InstalledTemplate.Content, ".template.config", "template.json")));
        string templateDefault = template.RootElement.GetProperty("symbols").GetProperty("AioRunVersion").GetProperty("defaultValue").GetString()!;

        string repositoryVersion = XElement.Load(Path.Combine(Repository.Root, "Directory.Build.props")).Descendants("Version").Single().Value;

        Assert.Equal(repositoryVersion, templateDefault);
        Assert.Equal("aiorun", template.RootElement.GetProperty("shortName").GetString());
    }

    /// <summary>A Dockerfile's instructions: comments and blank lines dropped, continuation lines joined.</summary>
    private static List<(string Keyword, string Arguments)> DockerInstructions(string[] lines)
    {
        var instructions = new List<(string, string)>();
        string pending = "";
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            string instruction = pending + line;
            pending = "";
            int space = instruction.IndexOfAny(new[] { ' ', '\t' });
            instructions.Add(space < 0
                ? (instruction.ToUpperInvariant(), "")
                : (instruction[..space].ToUpperInvariant(), instruction[(space + 1)..].Trim()));
        }

        return instructions;
    }

    /// <summary>
    /// The template packed (with the same test version as AioRun) and installed into a private hive, once for the class;
    /// AioRun packed by <see cref="PackageTests.PackedAioRun"/> into the feed beside it.
    /// </summary>
    public sealed class InstalledTemplate : IDisposable
    {
        public static readonly string Content = Path.Combine(Repository.Root, "AioRun.Templates", "content", "aiorun");

        private readonly PackageTests.PackedAioRun _package = new();
        private readonly string _hive;
        private readonly string _projects;
        private readonly object _hostingGate = new();
        private bool _hostingPacked;

        public InstalledTemplate()
        {
            string nupkg = _package.Pack(Path.Combine("AioRun.Templates", "AioRun.Templates.csproj"), "AioRun.Templates");
            _hive = _package.NewFolder("template-hive");
            _projects = _package.NewFolder("projects");
            Run(_projects, "new", "install", nupkg, "--debug:custom-hive", _hive);
        }

        public string Version => _package.Version;

        /// <summary>
        /// <c>dotnet new aiorun -n <paramref name="name"/></c> with <paramref name="options"/>, referencing the packed
        /// version of AioRun, and a nuget.config next to the project that adds the feed. Returns the project folder.
        /// </summary>
        public string Create(string name, params string[] options)
        {
            string dir = Path.Combine(_projects, name);
            Run(_projects, new[] { "new", "aiorun", "-n", name, "-o", dir, "--aiorun-version", Version, "--debug:custom-hive", _hive }.Concat(options).ToArray());
            _package.WriteNuGetConfig(dir);
            return dir;
        }

        /// <summary>Builds the project as it came from the template, warnings as errors; returns the program's .dll.</summary>
        public string Build(string dir, string name)
        {
            (int exit, string output) = _package.Dotnet(dir, "build", "-c", "Release", "-p:TreatWarningsAsErrors=true");
            Assert.True(exit == 0, output);
            Assert.Contains(" 0 Warning(s)", output, StringComparison.Ordinal);
            return Path.Combine(dir, "bin", "Release", "net10.0", name + ".dll");
        }

        /// <summary>Packs AioRun.Hosting into the feed (once), for the --hosted variant.</summary>
        public void PackHosting()
        {
            lock (_hostingGate)
            {
                if (!_hostingPacked)
                {
                    _package.Pack(Path.Combine("AioRun.Hosting", "AioRun.Hosting.csproj"), "AioRun.Hosting");
                    _hostingPacked = true;
                }
            }
        }

        public void Dispose() => _package.Dispose();

        private void Run(string workingDirectory, params string[] args)
        {
            (int exit, string output) = _package.Dotnet(workingDirectory, args);
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed:" + Environment.NewLine + output);
            }
        }
    }
}
