using AioRun.Tests.Process;
using AioRun.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace AioRun.Tests.Generator;

/// <summary>
/// A program as a user writes it, put through the real generator, compiled against the real AioRun.dll, emitted to disk
/// and started as a process: what the compile-and-run tests of the generator and of the loop types share.
/// </summary>
internal static class GeneratedProgram
{
    private static readonly string ProgramsDirectory = Path.Combine(Path.GetTempPath(), "aiorun-generated-programs", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static GeneratedProgram()
    {
        // Programs of earlier runs are left behind (a running child holds its files); this run starts clean.
        string parent = Path.GetDirectoryName(ProgramsDirectory)!;
        if (Directory.Exists(parent))
        {
            foreach (string old in Directory.GetDirectories(parent))
            {
                try
                {
                    Directory.Delete(old, recursive: true);
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

    /// <summary>Generates, compiles and emits the program into its own folder beside AioRun.dll, then starts it.</summary>
    /// <param name="sourcePath">The path of the user's file in the compilation (default: the harness's).</param>
    /// <param name="environment">Changes to the child's environment (a <see langword="null"/> value removes the variable); its stderr is then a stream of its own.</param>
    public static ChildProcess Start(string source, Dictionary<string, string>? buildProperties = null, string? sourcePath = null, IReadOnlyDictionary<string, string?>? environment = null, params string[] args)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(TestSource.Usings + source);
        if (sourcePath is not null)
        {
            compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], compilation.SyntaxTrees[0].WithFilePath(sourcePath));
        }

        var generated = GeneratorHarness.Generate(compilation, buildProperties);
        GeneratorHarness.AssertClean(generated.Output);

        string directory = Path.Combine(ProgramsDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dll = Path.Combine(directory, "UserProgram.dll");
        EmitResult emitted = generated.Output.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        foreach (string dependency in new[] { "AioRun.dll", "Microsoft.Extensions.Logging.Abstractions.dll", "Microsoft.Extensions.DependencyInjection.Abstractions.dll" })
        {
            string from = Path.Combine(AppContext.BaseDirectory, dependency);
            if (File.Exists(from))
            {
                File.Copy(from, Path.Combine(directory, dependency));
            }
        }

        File.WriteAllText(
            Path.Combine(directory, "UserProgram.runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}", "framework": { "name": "Microsoft.NETCore.App", "version": "{{Environment.Version.Major}}.{{Environment.Version.Minor}}.0" } } }""");
        return environment is null ? ChildProcess.StartDotnetMerged(dll, args) : ChildProcess.StartDotnet(dll, environment, args);
    }
}
