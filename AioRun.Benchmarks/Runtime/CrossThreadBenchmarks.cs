using System.Collections.Concurrent;
using System.Diagnostics;
using AioRun.Benchmarks.Runtime.Peers;
using Nito.AsyncEx;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// (2) Cross-thread posts per second: producer threads post callbacks into the context, whose own
/// thread runs them. Timed from the moment the producers are released until the last callback ran.
/// </summary>
internal static class CrossThreadBenchmarks
{
    public static string Scenario(int producers) => $"(2) cross-thread posts, {producers} producer{(producers == 1 ? string.Empty : "s")}";

    public const string RawConcurrentQueue = "raw ConcurrentQueue<Action>, spinning consumer";
    public const string LoopCallSoonThreadsafe = "AioLoop.CallSoonThreadsafe";

    public static void Run(Harness harness)
    {
        foreach (int producers in new[] { 1, 2 })
        {
            string scenario = Scenario(producers);
            harness.Measure(scenario, RawConcurrentQueue, ops => new RawRound(producers, ops).Run(), initialOps: 10_000);
            harness.Measure(scenario, SameThreadBenchmarks.BlockingCollection, ops => new ContextRound(producers, ops, BlockingCollectionContext.Run).Run(), initialOps: 10_000);
            harness.Measure(scenario, SameThreadBenchmarks.NitoAsyncContext, ops => new ContextRound(producers, ops, AsyncContext.Run).Run(), initialOps: 10_000);
            var loop = new AioLoop();
            harness.Measure(scenario, LoopCallSoonThreadsafe, ops => new LoopRound(producers, ops, loop, usePost: false).Run(), initialOps: 10_000);
            harness.Measure(scenario, SameThreadBenchmarks.LoopPost, ops => new LoopRound(producers, ops, loop, usePost: true).Run(), initialOps: 10_000);
            loop.Close();
        }
    }

    /// <summary>Starts the producers, each blocked until <see cref="Release"/>, then posting its share.</summary>
    private abstract class Round
    {
        private readonly ManualResetEventSlim _go = new();
        private readonly Thread[] _threads;
        private readonly long _ops;
        private long _released;

        protected Round(int producers, long ops)
        {
            _ops = ops;
            _threads = new Thread[producers];
            for (int p = 0; p < producers; p++)
            {
                long share = (ops / producers) + (p < ops % producers ? 1 : 0);
                _threads[p] = new Thread(() =>
                {
                    _go.Wait();
                    for (long i = 0; i < share; i++)
                    {
                        PostOne();
                    }
                })
                { IsBackground = true, Name = "producer" };
            }
        }

        protected long Remaining { get; set; }

        protected long Finished { get; set; }

        public Sample Run()
        {
            Remaining = _ops;
            foreach (Thread thread in _threads)
            {
                thread.Start();
            }

            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            Consume();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }

            _go.Dispose();
            return new Sample(_ops, Stopwatch.GetElapsedTime(_released, Finished), allocated);
        }

        /// <summary>Called on the consuming thread once it runs: lets the producers go.</summary>
        protected void Release()
        {
            _released = Stopwatch.GetTimestamp();
            _go.Set();
        }

        /// <summary>Runs on the consuming thread until all callbacks ran; calls <see cref="Release"/> first.</summary>
        protected abstract void Consume();

        protected abstract void PostOne();
    }

    private sealed class RawRound : Round
    {
        private readonly ConcurrentQueue<Action> _queue = new();
        private readonly Action _callback;

        public RawRound(int producers, long ops)
            : base(producers, ops) => _callback = () => Remaining--;

        protected override void Consume()
        {
            Release();
            while (Remaining > 0)
            {
                if (_queue.TryDequeue(out Action? callback))
                {
                    callback();
                }
            }

            Finished = Stopwatch.GetTimestamp();
        }

        protected override void PostOne() => _queue.Enqueue(_callback);
    }

    private sealed class ContextRound : Round
    {
        private readonly Action<Func<Task>> _runContext;
        private readonly SendOrPostCallback _callback;
        private readonly TaskCompletionSource _done = new();
        private SynchronizationContext? _context;

        public ContextRound(int producers, long ops, Action<Func<Task>> runContext)
            : base(producers, ops)
        {
            _runContext = runContext;
            _callback = _ =>
            {
                if (--Remaining == 0)
                {
                    Finished = Stopwatch.GetTimestamp();
                    _done.SetResult();
                }
            };
        }

        protected override void Consume() => _runContext(() =>
        {
            _context = SynchronizationContext.Current!;
            Release();
            return _done.Task;
        });

        protected override void PostOne() => _context!.Post(_callback, null);
    }

    private sealed class LoopRound : Round
    {
        private readonly AioLoop _loop;
        private readonly bool _usePost;
        private readonly Action<object?> _callback;
        private readonly SendOrPostCallback _postCallback;

        public LoopRound(int producers, long ops, AioLoop loop, bool usePost)
            : base(producers, ops)
        {
            _loop = loop;
            _usePost = usePost;
            _callback = Count;
            _postCallback = Count;
        }

        protected override void Consume()
        {
            _loop.CallSoon(Release);
            _loop.RunForever();
        }

        private void Count(object? state)
        {
            if (--Remaining == 0)
            {
                Finished = Stopwatch.GetTimestamp();
                _loop.Stop();
            }
        }

        protected override void PostOne()
        {
            if (_usePost)
            {
                _loop.Post(_postCallback, null);
            }
            else
            {
                _loop.CallSoonThreadsafe(_callback, null);
            }
        }
    }
}
