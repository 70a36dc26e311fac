// aiorun's Windows example: a parent starts an AioRun program as a child in a new process group and
// later sends it CTRL-BREAK; the child shuts down in order. On Windows CTRL-BREAK is what AioRun's
// SIGQUIT registration receives (Ctrl-C is SIGINT); elsewhere the parent sends SIGTERM, the same path.
// Usage: dotnet run --project AioRun.Samples/WindowsCtrlBreak          (parent)
//        dotnet run --project AioRun.Samples/WindowsCtrlBreak -- child (what the parent starts)
using System.Diagnostics;
using System.Runtime.InteropServices;
using AioRun;

static partial class Program
{
    [AioRunEntry]
    static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "child")
        {
            Console.WriteLine("child: running; waiting for CTRL-BREAK");
            await Aio.Sleep(double.PositiveInfinity);
            return 0;
        }

        return await RunParent();
    }

    static async Task<int> RunParent()
    {
        using Process child = StartChildInNewProcessGroup();
        Console.WriteLine($"parent: started child {child.Id}");
        string? first = await child.StandardOutput.ReadLineAsync(Aio.CancellationToken);
        Console.WriteLine($"parent: child says '{first}'");

        if (OperatingSystem.IsWindows())
        {
            Console.WriteLine("parent: sending CTRL-BREAK");
            GenerateConsoleCtrlEvent(CtrlBreakEvent, (uint)child.Id);
        }
        else
        {
            Console.WriteLine("parent: sending SIGTERM (CTRL-BREAK is Windows-only)");
            kill(child.Id, 15);
        }

        string rest = await child.StandardOutput.ReadToEndAsync(Aio.CancellationToken);
        await child.WaitForExitAsync(Aio.CancellationToken);
        Console.Write(rest);
        Console.WriteLine($"parent: child exited with {child.ExitCode}");
        Aio.Stop();
        return child.ExitCode;
    }

    static Process StartChildInNewProcessGroup()
    {
        string self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet WindowsCtrlBreak.dll`: start the same dll (Assembly.Location would be empty in a single-file app).
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(Program).Assembly.GetName().Name + ".dll"));
        }

        info.ArgumentList.Add("child");
        info.Environment["AIORUN_LOG_LEVEL"] = "Information";

        // CREATE_NEW_PROCESS_GROUP: the child becomes the root of its own group, so the parent can send it
        // CTRL-BREAK without a console window (Ctrl-C is disabled in such a child, as aiorun's README says).
        if (OperatingSystem.IsWindows())
        {
            info.CreateNewProcessGroup = true;
        }

        // The child's shutdown lines go to its stderr, which it inherits: they appear in this console.
        return Process.Start(info)!;
    }

    private const uint CtrlBreakEvent = 1;

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool GenerateConsoleCtrlEvent(uint dwCtrlEvent, uint dwProcessGroupId);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
