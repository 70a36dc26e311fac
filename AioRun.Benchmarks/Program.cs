Console.WriteLine("AioRun benchmarks: not written yet.");
