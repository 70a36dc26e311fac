using System.Diagnostics;
using System.Text.Json;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// Runs python/asyncio_sleep_cancel.py (asyncio doing benchmark (4)) as a child process and adds its
/// figures to the results.
/// </summary>
internal static class PythonPeer
{
    public const string Subject = "Python asyncio: cancel() each + gather";
    public const string SetupSubject = "Python asyncio: create_task(sleep()) + sleep(0)";

    /// <summary>Runs the script; returns why it could not, or <see langword="null"/>.</summary>
    public static string? Run(Harness harness, int tasks)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "python", "asyncio_sleep_cancel.py");
        if (!File.Exists(script))
        {
            return $"the script {script} is missing";
        }

        string python = Environment.GetEnvironmentVariable("PYTHON") is { Length: > 0 } configured ? configured : "python3";
        int iterations = Math.Max(3, harness.Settings.Iterations / 2);
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { script, "--tasks", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        Console.Error.Write($"  {SleepCancelBenchmarks.Scenario(tasks)} / {Subject} ...");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine(" not run");
            return $"{python} could not be started ({ex.Message}); set PYTHON to a Python 3 interpreter";
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Console.Error.WriteLine(" timed out");
                return "the asyncio script took more than 5 minutes";
            }

            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine(" failed");
                return $"the asyncio script exited with {process.ExitCode}: {stderr.Result.Trim()}";
            }

            using JsonDocument json = JsonDocument.Parse(stdout.Result);
            JsonElement root = json.RootElement;
            double[] cancel = root.GetProperty("cancel_drain_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] setup = root.GetProperty("setup_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] cancelCpu = root.GetProperty("cancel_drain_cpu_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] setupCpu = root.GetProperty("setup_cpu_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            string version = root.GetProperty("implementation").GetString() + " " + root.GetProperty("python").GetString();
            harness.Add(new Result(SleepCancelBenchmarks.Scenario(tasks), $"{Subject} ({version})", tasks, PerTask(cancel), [double.NaN], PerTask(cancelCpu)) { ReportsTotal = true });
            harness.Add(new Result(SleepCancelBenchmarks.SetupScenario(tasks), $"{SetupSubject} ({version})", tasks, PerTask(setup), [double.NaN], PerTask(setupCpu)) { ReportsTotal = true });
            Console.Error.WriteLine($" {Harness.Median(cancel):F1} ms");
            return null;
        }

        double[] PerTask(double[] ms) => ms.Select(m => m * 1e6 / tasks).ToArray();
    }
}
