using System;
using System.Collections.Generic;
using System.Text;

namespace AioRun.Tests.Analyzers.LoopSafety;

/// <summary>
/// Generates files of varied async C# that uses AioRun, deterministically from a seed: classes with fields and
/// helpers, and methods that put statements of many kinds in containers on and off the loop (async methods,
/// lambdas and local functions; synchronous methods; executor, Task.Run and thread lambdas). Each file comes
/// with the diagnostics the loop-safety rules must report, written in the text as <c>{|AIO00x:...|}</c> and
/// parsed out by <see cref="Parse"/>. Also makes malformed variants of the files. Shared, as a linked file, by
/// the robustness test and the analyzer benchmark.
/// </summary>
public static class LoopSafetyCorpus
{
    /// <summary>
    /// A statement: its text with markup (<c>#</c> is a per-use number), whether it needs an async function, and
    /// whether its markup is inside an async lambda of its own (on the loop even in a synchronous method).
    /// </summary>
    private readonly record struct Snippet(string Text, bool NeedsAsync, bool OwnAsyncLambda = false);

    private static readonly Snippet[] Snippets =
    {
        new("int r# = {|AIO003:_pending.Result|};", false),
        new("{|AIO003:Thread.Sleep(5)|};", false),
        new("_ = {|AIO001:WorkAsync(#)|};", false),
        new("{|AIO001:Task.Run(() => Compute(#))|};", false),
        new("await {|AIO004:Task.Delay(#)|};", true),
        new("await {|AIO002:WorkAsync(#).WaitAsync(_cts.Token)|};", true),
        new("await Aio.Sleep(0.01);", true),
        new("_ = Aio.CreateTask(() => WorkAsync(#), \"task-#\");", false),
        new("string s# = {|AIO003:File.ReadAllText(_path)|};", false),
        new("await Task.Delay(#, Aio.CancellationToken);", true),
        new("int n# = Compute(#) + _values.Count;", false),
        new("if (_pending.IsCompleted) { int done# = _pending.Result; }", false),
        new("if (_gate.Wait(0)) { _gate.Release(); }", false),
        new("await {|AIO004:SaveAsync()|};", true),
        new("var doubled# = Enumerable.Range(0, #).Select(i => i * 2).ToList();", false),
        new("var lengths# = _paths.Select(p => {|AIO003:File.ReadAllText(p)|}.Length).ToList();", false),
        new("try { await {|AIO004:Task.Delay(1)|}; } catch (OperationCanceledException) { _values.Add(#); }", true),
        new("using (var memory# = new MemoryStream()) { memory#.Write(new byte[] { 1 }, 0, 1); }", false),
        new("await {|AIO002:Task.WhenAny(WorkAsync(#), Task.Delay(-1, _cts.Token))|};", true),
        new("{|AIO003:_gate.Wait()|}; _gate.Release();", false),
        new("int got# = await GetAsync(#).ConfigureAwait(false);", true),
        new("await Aio.ShutdownWaitsFor(ct => SaveAsync(ct), \"save-#\");", true),
        new("Aio.ShutdownWaitsFor(WorkAsync(#));", false),
        new("await Aio.RunInExecutor(() => Thread.Sleep(#));", true),
        new("int fromExecutor# = await Aio.RunInExecutor(() => File.ReadAllText(_path).Length);", true),
        new("var line# = await _reader.ReadLineAsync(Aio.CancellationToken);", true),
        new("string? sync# = {|AIO003:_reader.ReadLine()|};", false),
        new("await {|AIO004:_stream.FlushAsync()|};", true),
        new("_ = {|AIO001:ValueWorkAsync()|};", false),
        new("{|AIO003:Task.WaitAll(WorkAsync(#), WorkAsync(#))|};", false),
        new("await Task.WhenAll(WorkAsync(#), SaveAsync(CancellationToken.None));", true),
        new("lock (_lock) { _values.Add(#); }", false),
        new("switch (_values.Count % 3) { case 0: _values.Clear(); break; default: _values.Add(#); break; }", false),
        new("foreach (int v# in _values.ToArray()) { if (v# > #) { break; } }", false),
        new("string text# = $\"{_values.Count} items, {nameof(Task.Run)}\";", false),
        new("{|AIO001:new Thread(() => Compute(#))|}.Start();", false),
        new("var awaiter# = {|AIO003:GetAsync(#).GetAwaiter().GetResult()|};", false),
        new("await using (var timer# = new Timer(_ => Thread.Sleep(#))) { }", true),
        new("Func<int, Task> handler# = async x => await {|AIO004:Task.Delay(x)|};", false, OwnAsyncLambda: true),
        new("Action callback# = () => {|AIO003:_pending.Wait()|};", false),
    };

    /// <summary>
    /// How statements are wrapped: the opening and closing text, whether the body may await, whether it runs on
    /// the loop, and whether an async lambda in it does (yes in a synchronous method; no when handed to a thread).
    /// </summary>
    private readonly record struct Container(string Open, string Close, bool Async, bool OnLoop, bool AsyncLambdasOnLoop = true);

    private static readonly Container[] Containers =
    {
        new("public async Task M#Async()\n    {\n", "    }\n", true, true),
        new("public async ValueTask<int> M#Async(CancellationToken token)\n    {\n", "        return _values.Count;\n    }\n", true, true),
        new("public void M#()\n    {\n        Func<Task> work = async () =>\n        {\n", "        };\n        _ = Aio.CreateTask(work);\n    }\n", true, true),
        new("public void M#()\n    {\n        async Task Local()\n        {\n", "        }\n\n        Aio.CreateTask(Local);\n    }\n", true, true),
        new("public Func<Task> P# => async () =>\n    {\n", "    };\n", true, true),
        new("public int M#(int x)\n    {\n", "        return x;\n    }\n", false, false),
        new("public async Task M#Async()\n    {\n        await Aio.RunInExecutor(() =>\n        {\n", "        });\n    }\n", false, false, false),
        new("public async Task M#Async()\n    {\n        await {|AIO001:Task.Run(async () =>\n        {\n", "        })|};\n    }\n", true, false, false),
        new("public async Task M#Async()\n    {\n        await {|AIO001:Task.Run(() =>\n        {\n", "        })|};\n    }\n", false, false, false),
        new("public void M#()\n    {\n        var thread = new Thread(() =>\n        {\n", "        });\n        thread.Start();\n    }\n", false, false, false),
        new("public async Task M#Async()\n    {\n        var items = new List<int> { 1, 2 };\n        items.ForEach(item =>\n        {\n", "        });\n        await Aio.Sleep(0.0);\n    }\n", false, true),
    };

    /// <summary>One generated file: its text (markup removed) and the diagnostics expected in it.</summary>
    public sealed record File(string Name, string Text, IReadOnlyList<Expected> Diagnostics);

    /// <summary>An expected diagnostic: rule id and text span.</summary>
    public readonly record struct Expected(string Id, int Start, int End);

    /// <summary>
    /// <paramref name="count"/> valid files from <paramref name="seed"/>, each with <paramref name="minMethods"/> to
    /// <paramref name="maxMethods"/> methods. <paramref name="cleanShare"/> is the share of statements drawn only
    /// from those no rule reports (0: every kind equally, about one diagnostic per 14 lines; 0.9: closer to real code).
    /// </summary>
    public static List<File> Generate(int count, int seed, int minMethods = 3, int maxMethods = 8, double cleanShare = 0)
    {
        var random = new Random(seed);
        var files = new List<File>(count);
        for (int i = 0; i < count; i++)
        {
            files.Add(GenerateFile(i, random, minMethods, maxMethods, cleanShare));
        }

        return files;
    }

    /// <summary>Malformed variants: truncated, with ranges deleted, with stray tokens inserted.</summary>
    public static List<string> Malform(IReadOnlyList<File> files, int seed)
    {
        var random = new Random(seed);
        string[] junk = { "await", "=>", "{", "}", "(", ")", ";", "async", "Task.Run(", ".Result", "[|", "\"", "Thread.Sleep(", "_ =", "new Thread(", "?.", "default!" };
        var malformed = new List<string>(files.Count);
        foreach (File file in files)
        {
            string text = file.Text;
            switch (random.Next(3))
            {
                case 0:
                    text = text.Substring(0, random.Next(text.Length));
                    break;
                case 1:
                    for (int k = 0; k < 5 && text.Length > 10; k++)
                    {
                        int start = random.Next(text.Length - 5);
                        text = text.Remove(start, random.Next(1, Math.Min(40, text.Length - start)));
                    }

                    break;
                default:
                    for (int k = 0; k < 8; k++)
                    {
                        text = text.Insert(random.Next(text.Length), " " + junk[random.Next(junk.Length)] + " ");
                    }

                    break;
            }

            malformed.Add(text);
        }

        return malformed;
    }

    private static File GenerateFile(int index, Random random, int minMethods, int maxMethods, double cleanShare)
    {
        var text = new StringBuilder();
        // Its own usings, not TestSource's: this file is also compiled into AioRun.Benchmarks, which has no TestSource.
        text.Append("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using AioRun;

            """);
        text.Append("namespace Corpus").Append(index / 100).Append(";\n\n");
        text.Append("public sealed class Service").Append(index).Append('\n').Append("""
            {
                private readonly Task<int> _pending = Task.Run(() => 1);
                private readonly SemaphoreSlim _gate = new(1);
                private readonly CancellationTokenSource _cts = new();
                private readonly List<int> _values = new();
                private readonly object _lock = new();
                private readonly string _path = "data.txt";
                private readonly string[] _paths = { "a.txt", "b.txt" };
                private readonly StreamReader _reader = new(new MemoryStream());
                private readonly Stream _stream = Stream.Null;

                private static Task WorkAsync(int n) => Task.Delay(n);
                private static Task SaveAsync(CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
                private static Task<int> GetAsync(int n) => Task.FromResult(n);
                private static ValueTask ValueWorkAsync() => default;
                private static int Compute(int n) => n * n;


            """);

        int methods = random.Next(minMethods, maxMethods + 1);
        int counter = 0;
        for (int m = 0; m < methods; m++)
        {
            Container container = Containers[random.Next(Containers.Length)];
            text.Append("    ").Append(container.Open.Replace("#", m.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            int statements = random.Next(1, 6);
            for (int s = 0; s < statements; s++)
            {
                bool cleanOnly = random.NextDouble() < cleanShare;
                Snippet snippet;
                do
                {
                    snippet = Snippets[random.Next(Snippets.Length)];
                }
                while ((snippet.NeedsAsync && !container.Async) || (cleanOnly && snippet.Text.Contains("{|", StringComparison.Ordinal)));

                counter++;
                string statement = snippet.Text.Replace("#", counter.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!container.OnLoop && !(snippet.OwnAsyncLambda && container.AsyncLambdasOnLoop))
                {
                    statement = Parse(statement).Text;
                }

                text.Append("            ").Append(statement).Append('\n');
            }

            text.Append(container.Close).Append('\n');
        }

        text.Append("}\n");
        (string clean, List<Expected> expected) = Parse(text.ToString());
        return new File("Service" + index + ".cs", clean, expected);
    }

    /// <summary>Removes <c>{|ID:</c> ... <c>|}</c> markup (nesting allowed) and returns the spans it marked.</summary>
    public static (string Text, List<Expected> Diagnostics) Parse(string marked)
    {
        var clean = new StringBuilder(marked.Length);
        var open = new Stack<(string Id, int Start)>();
        var found = new List<Expected>();
        for (int i = 0; i < marked.Length; i++)
        {
            if (marked[i] == '{' && i + 1 < marked.Length && marked[i + 1] == '|')
            {
                int colon = marked.IndexOf(':', i + 2);
                open.Push((marked.Substring(i + 2, colon - i - 2), clean.Length));
                i = colon;
            }
            else if (marked[i] == '|' && i + 1 < marked.Length && marked[i + 1] == '}' && open.Count > 0)
            {
                (string id, int start) = open.Pop();
                found.Add(new Expected(id, start, clean.Length));
                i++;
            }
            else
            {
                clean.Append(marked[i]);
            }
        }

        return (clean.ToString(), found);
    }
}
