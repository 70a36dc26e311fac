using System.Runtime.InteropServices;
using AioRun;

/// <summary>
/// The default logger's standard error (<see cref="AioLogging.Output"/>) as a process meets it: the stderr-* scenarios
/// write through it and say on standard output what they did. Linux: they reshape file descriptor 2 with libc.
/// </summary>
internal static class StandardErrorScenarios
{
    public static int Run(string scenario, string[] args)
    {
        TextWriter output = AioLogging.Output;
        switch (scenario)
        {
            case "stderr-text":
                output.WriteLine("plain ascii");
                output.WriteLine("é ü — 日本 😀");
                output.Write('\uD83D'); // a surrogate pair cut in two calls
                output.Write('\uDE00');
                output.WriteLine();
                output.Write("half a pair at the end \uD83D");
                output.WriteLine("\uDE00 and the rest");
                output.WriteLine("a lone surrogate \uDC00 here");
                output.Write(new[] { 'x', 'c', 'h', 'a', 'r', 's', 'y' }, 1, 5);
                output.Write(' ');
                output.WriteLine(42);
                output.WriteLine(new string('ä', 5_000));
                output.WriteLine(" ".AsSpan());
                Console.WriteLine("WROTE");
                return 0;

            case "stderr-shared-file":
                // Standard output and standard error are one file (> file 2>&1): neither may write over the other.
                for (int i = 0; i < 200; i++)
                {
                    Console.Out.WriteLine($"out {i}");
                    output.WriteLine($"err {i}");
                }

                return 0;

            case "stderr-nonblocking":
                // A non-blocking pipe (as some supervisors hand it over) that one long line (args[1] repeated args[2]
                // times) overfills.
                string line = string.Concat(Enumerable.Repeat(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)));
                SetNonBlocking(2);
                Console.WriteLine("WRITING");
                output.WriteLine(line);
                Console.WriteLine("WROTE");
                return 0;

            case "stderr-closed-pipe":
                // Standard error becomes a pipe whose reader is gone: every write fails with EPIPE.
                ReplaceStandardErrorWithBrokenPipe();
                output.WriteLine("nobody reads this");
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(AioLogging.DefaultLogger, "nor this");
                Console.WriteLine("SURVIVED");
                return 0;

            default:
                throw new ArgumentException($"unknown scenario '{scenario}'");
        }
    }

    private static void SetNonBlocking(int fd)
    {
        const int F_GETFL = 3;
        const int F_SETFL = 4;
        const int O_NONBLOCK = 0x800;
        int flags = Fcntl(fd, F_GETFL, 0);
        if (flags < 0 || Fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            throw new IOException($"fcntl failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void ReplaceStandardErrorWithBrokenPipe()
    {
        int[] ends = new int[2];
        if (Pipe(ends) != 0 || Close(ends[0]) != 0 || Dup2(ends[1], 2) < 0 || Close(ends[1]) != 0)
        {
            throw new IOException($"pipe/dup2 failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "pipe", SetLastError = true)]
    private static extern int Pipe([Out] int[] ends);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int from, int to);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
