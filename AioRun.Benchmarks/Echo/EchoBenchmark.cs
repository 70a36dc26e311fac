using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace AioRun.Benchmarks.Echo;

/// <summary>
/// The echo benchmark, five servers side by side in one run:
/// <c>dotnet run -c Release --project AioRun.Benchmarks -- echo [--rounds N] [--seconds S] [--warmup S] [--connections N] [--no-pin] [--no-python] [--only SUBJECT]</c>.
/// Each server is a process of its own, and so is the load generator (<see cref="EchoClient"/>): by default the server
/// is pinned to CPU 0 and the generator to CPU 1 (taskset), so every server gets the same one core and the
/// generator never competes with it. The server's CPU time (utime+stime from /proc/PID/stat) and context switches
/// (voluntary+nonvoluntary, summed over /proc/PID/task/*/status) are read when the measured window starts and ends;
/// the kernel column is the share of that CPU time spent in the kernel (stime), which no user-space change can lower.
/// Subjects run in a rotated order each round; the table gives the medians over the rounds.
/// </summary>
internal static class EchoBenchmark
{
    private static readonly string[] AllSubjects = ["aio-default", "aio-default-inline", "aio-epoll", "threadpool", "py-asyncio", "py-uvloop"];

    private static readonly Dictionary<string, string> Titles = new()
    {
        ["aio-default"] = "AioRun, default loop (TcpListener/NetworkStream)",
        ["aio-default-inline"] = "AioRun, default loop, InlineSocketCompletions = true",
        ["aio-epoll"] = "AioRun, EpollLoop (AioTcpListener/AioTcpConnection)",
        ["threadpool"] = ".NET thread pool (TcpListener/NetworkStream, no AioRun)",
        ["py-asyncio"] = "Python aiorun on asyncio (streams)",
        ["py-uvloop"] = "Python aiorun on uvloop (streams)",
    };

    public static int Run(string[] args)
    {
        int rounds = 3;
        double seconds = 5;
        double warmup = 2;
        int connections = 100;
        bool pin = true;
        bool python = true;
        var only = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-pin": pin = false; break;
                case "--no-python": python = false; break;
                case "--only": only.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown echo benchmark option '{args[i]}'.");
                    return 2;
            }
        }

        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("The echo benchmark reads /proc and runs the EpollLoop: Linux only.");
            return 2;
        }

        string[] subjects = AllSubjects.Where(s => (only.Count == 0 || only.Contains(s)) && (python || !s.StartsWith("py-", StringComparison.Ordinal))).ToArray();
        string load = File.ReadAllText("/proc/loadavg").Trim();
        var results = subjects.ToDictionary(s => s, _ => new List<Measurement>());
        var problems = new Dictionary<string, string>();
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < subjects.Length; k++)
            {
                string subject = subjects[(k + round) % subjects.Length];
                if (problems.ContainsKey(subject))
                {
                    continue;
                }

                Console.Error.Write($"  round {round + 1}/{rounds}: {subject} ...");
                try
                {
                    Measurement m = Measure(subject, connections, warmup, seconds, pin);
                    results[subject].Add(m);
                    Console.Error.WriteLine($" {m.MessagesPerSecond:N0} msgs/s");
                }
                catch (SubjectUnavailableException ex)
                {
                    problems[subject] = ex.Message;
                    Console.Error.WriteLine(" not run: " + ex.Message);
                }
            }
        }

        Print(subjects, results, problems, rounds, seconds, warmup, connections, pin, load);
        return 0;
    }

    private static Measurement Measure(string subject, int connections, double warmup, double seconds, bool pin)
    {
        using ChildProcess server = StartServer(subject, pin);
        string ready = server.WaitFor(l => l.StartsWith("READY ", StringComparison.Ordinal) || l.Contains("No module named 'uvloop'", StringComparison.Ordinal), TimeSpan.FromSeconds(60))
            ?? throw new SubjectUnavailableException($"the server did not start: {server.Transcript()}");
        if (!ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            throw new SubjectUnavailableException($"uvloop is missing for {Python()} (Debian: apt-get install python3-uvloop)");
        }

        string port = ready.Substring("READY ".Length).Trim();
        string self = typeof(EchoBenchmark).Assembly.Location;
        var clientArgs = new List<string> { DotnetHost(), self, "echo-client", port, connections.ToString(CultureInfo.InvariantCulture), F(warmup), F(seconds) };
        using ChildProcess client = ChildProcess.Start(pin ? ["taskset", "-c", "1", .. clientArgs] : clientArgs, null);
        TimeSpan limit = TimeSpan.FromSeconds(warmup + seconds + 60);
        if (client.WaitFor(l => l == "WARM", limit) is null)
        {
            throw new InvalidOperationException($"the load generator did not warm up: {client.Transcript()} / server: {server.Transcript()}");
        }

        ProcessFigures before = ProcessFigures.Read(server.Id);
        string done = client.WaitFor(l => l.StartsWith("DONE ", StringComparison.Ordinal), limit)
            ?? throw new InvalidOperationException($"the load generator did not finish: {client.Transcript()}");
        ProcessFigures after = ProcessFigures.Read(server.Id);
        string[] parts = done.Split(' ');
        long messages = long.Parse(parts[1], CultureInfo.InvariantCulture);
        double elapsed = double.Parse(parts[2], CultureInfo.InvariantCulture);
        return new Measurement(
            messages / elapsed,
            (after.CpuMs - before.CpuMs) * 1000.0 / messages,
            long.Parse(parts[3], CultureInfo.InvariantCulture),
            long.Parse(parts[4], CultureInfo.InvariantCulture),
            (double)(after.ContextSwitches - before.ContextSwitches) / messages,
            after.Threads,
            after.CpuMs - before.CpuMs > 0 ? (after.SystemMs - before.SystemMs) / (after.CpuMs - before.CpuMs) : double.NaN);
    }

    private static ChildProcess StartServer(string subject, bool pin)
    {
        List<string> command;
        Dictionary<string, string>? environment = null;
        if (subject.StartsWith("py-", StringComparison.Ordinal))
        {
            string script = Path.Combine(AppContext.BaseDirectory, "python", "aiorun_echo_server.py");
            string peers = PeersFolder() ?? throw new SubjectUnavailableException("aiorun's peer folder (../shared/peers) was not found; set AIORUN_PEERS");
            command = [Python(), script];
            if (subject == "py-uvloop")
            {
                command.Add("--uvloop");
            }

            environment = new() { ["PYTHONPATH"] = peers };
        }
        else
        {
            command = [DotnetHost(), typeof(EchoBenchmark).Assembly.Location, "echo-server", subject];
        }

        return ChildProcess.Start(pin ? ["taskset", "-c", "0", .. command] : command, environment);
    }

    private static void Print(string[] subjects, Dictionary<string, List<Measurement>> results, Dictionary<string, string> problems, int rounds, double seconds, double warmup, int connections, bool pin, string loadBefore)
    {
        Console.WriteLine();
        Console.WriteLine($"Echo benchmark: {connections} connections, each echoing {EchoClient.MessageSize}-byte lines one at a time; {rounds} rounds of {F(warmup)} s warm-up + {F(seconds)} s measured per subject; medians over the rounds.");
        Console.WriteLine(pin
            ? "  Server pinned to CPU 0, load generator (a separate process, AioRun EpollLoop client) to CPU 1 (taskset)."
            : "  Nothing pinned: server and load generator share the machine's cores.");
        Console.WriteLine($"  {Environment.ProcessorCount} cores; load average before: {loadBefore}; after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"  .NET {Environment.Version}; Python: {PythonVersion()}");
        Console.WriteLine();
        Console.WriteLine($"| {"Subject",-70} | {"msgs/s",10} | {"CPU ms / 1k msgs",16} | {"p50 µs",7} | {"p99 µs",7} | {"ctx sw / msg",12} | {"threads",7} | {"kernel",6} |");
        Console.WriteLine($"|{new string('-', 72)}|{new string('-', 12)}|{new string('-', 18)}|{new string('-', 9)}|{new string('-', 9)}|{new string('-', 14)}|{new string('-', 9)}|{new string('-', 8)}|");
        var medians = new Dictionary<string, Measurement>();
        foreach (string subject in subjects)
        {
            if (problems.TryGetValue(subject, out string? problem) || results[subject].Count == 0)
            {
                Console.WriteLine($"| {Titles[subject],-70} | not run: {problem}");
                continue;
            }

            List<Measurement> ms = results[subject];
            var m = new Measurement(
                Median(ms.Select(x => x.MessagesPerSecond)),
                Median(ms.Select(x => x.CpuMsPerThousand)),
                (long)Median(ms.Select(x => (double)x.P50Us)),
                (long)Median(ms.Select(x => (double)x.P99Us)),
                Median(ms.Select(x => x.ContextSwitchesPerMessage)),
                ms[^1].Threads,
                Median(ms.Select(x => x.KernelShare)));
            medians[subject] = m;
            string spread = ms.Count > 1 ? $" ±{(ms.Max(x => x.MessagesPerSecond) - ms.Min(x => x.MessagesPerSecond)) / 2 / m.MessagesPerSecond:P0}" : string.Empty;
            Console.WriteLine($"| {Titles[subject],-70} | {m.MessagesPerSecond,10:N0} | {m.CpuMsPerThousand,16:F2} | {m.P50Us,7} | {m.P99Us,7} | {m.ContextSwitchesPerMessage,12:F3} | {m.Threads,7} | {m.KernelShare,6:P0} |{spread}");
        }

        Console.WriteLine();
        Console.WriteLine("Goals:");
        Goal(medians, "aio-epoll", "threadpool", "msgs/s", m => m.MessagesPerSecond, 1.2, higherIsBetter: true);
        Goal(medians, "aio-epoll", "threadpool", "CPU/msg", m => m.CpuMsPerThousand, 0.8, higherIsBetter: false);
        Goal(medians, "aio-epoll", "py-uvloop", "msgs/s", m => m.MessagesPerSecond, 1.5, higherIsBetter: true);
        Goal(medians, "aio-epoll", "py-asyncio", "msgs/s", m => m.MessagesPerSecond, 5.0, higherIsBetter: true);
        Goal(medians, "aio-epoll", "threadpool", "p99", m => m.P99Us, 1.0, higherIsBetter: false);
        Goal(medians, "aio-default", "threadpool", "msgs/s", m => m.MessagesPerSecond, 1.0, higherIsBetter: true);
        Goal(medians, "aio-default", "threadpool", "CPU/msg", m => m.CpuMsPerThousand, 1.0, higherIsBetter: false);
        Goal(medians, "aio-default-inline", "threadpool", "msgs/s", m => m.MessagesPerSecond, 1.0, higherIsBetter: true);
        Goal(medians, "aio-default-inline", "threadpool", "CPU/msg", m => m.CpuMsPerThousand, 1.0, higherIsBetter: false);
    }

    private static void Goal(Dictionary<string, Measurement> medians, string subject, string peer, string what, Func<Measurement, double> figure, double goal, bool higherIsBetter)
    {
        if (!medians.TryGetValue(subject, out Measurement? m) || !medians.TryGetValue(peer, out Measurement? p))
        {
            Console.WriteLine($"  {subject} vs {peer} {what}: not measured");
            return;
        }

        double ratio = figure(m) / figure(p);
        bool met = higherIsBetter ? ratio >= goal : ratio <= goal;
        Console.WriteLine($"  {subject} {what} = {ratio:F2}x {peer} (goal {(higherIsBetter ? ">=" : "<=")} {goal:F1}x): {(met ? "met" : "MISSED")}");
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DotnetHost() => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string Python() =>
        Environment.GetEnvironmentVariable("PYTHON") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string PythonVersion()
    {
        try
        {
            using ChildProcess p = ChildProcess.Start([Python(), "-c", "import sys\ntry:\n import uvloop; u='uvloop '+uvloop.__version__\nexcept ImportError:\n u='uvloop missing'\nprint(sys.version.split()[0], u)"], null);
            return p.WaitFor(_ => true, TimeSpan.FromSeconds(20)) ?? "unknown";
        }
        catch (SubjectUnavailableException)
        {
            return "not found";
        }
    }

    private static string? PeersFolder()
    {
        if (Environment.GetEnvironmentVariable("AIORUN_PEERS") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "peers");
            if (Directory.Exists(Path.Combine(candidate, "aiorun")))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed record Measurement(double MessagesPerSecond, double CpuMsPerThousand, long P50Us, long P99Us, double ContextSwitchesPerMessage, int Threads, double KernelShare);

    private sealed class SubjectUnavailableException(string message) : Exception(message);

    /// <summary>A process's CPU time and context switches, from /proc.</summary>
    private readonly record struct ProcessFigures(double CpuMs, double SystemMs, long ContextSwitches, int Threads)
    {
        private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on Linux

        public static ProcessFigures Read(int pid)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
            double systemMs = long.Parse(fields[12], CultureInfo.InvariantCulture) * 1000.0 / TicksPerSecond;
            double cpuMs = (long.Parse(fields[11], CultureInfo.InvariantCulture) * 1000.0 / TicksPerSecond) + systemMs;
            long switches = 0;
            int threads = 0;
            foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            switches += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                        }
                    }

                    threads++;
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }

            return new ProcessFigures(cpuMs, systemMs, switches, threads);
        }
    }

    /// <summary>A child process whose stdout and stderr lines are collected.</summary>
    private sealed class ChildProcess : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _lines = new();
        private readonly ConcurrentQueue<string> _all = new();

        private ChildProcess(Process process)
        {
            _process = process;
        }

        public int Id => _process.Id;

        public static ChildProcess Start(IReadOnlyList<string> command, Dictionary<string, string>? environment)
        {
            var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in command.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }

            foreach ((string name, string value) in environment ?? new())
            {
                info.Environment[name] = value;
            }

            Process process;
            try
            {
                process = Process.Start(info) ?? throw new SubjectUnavailableException($"{command[0]} did not start");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new SubjectUnavailableException($"{command[0]} could not be started ({ex.Message})");
            }

            var child = new ChildProcess(process);
            process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        // With taskset in front, the pid is still the program's: taskset execs it.
        public string? WaitFor(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout)
            {
                if (_lines.TryTake(out string? line, TimeSpan.FromMilliseconds(200)))
                {
                    if (match(line))
                    {
                        return line;
                    }
                }
                else if (_process.HasExited && _lines.Count == 0)
                {
                    return null;
                }
            }

            return null;
        }

        public string Transcript() => string.Join(" | ", _all.TakeLast(20));

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is not null)
            {
                _all.Enqueue(line);
                _lines.Add(line);
            }
        }
    }
}
