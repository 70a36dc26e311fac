using AioRun.Benchmarks.Runtime.Peers;
using Nito.AsyncEx;

namespace AioRun.Benchmarks.Runtime;

/// <summary>
/// (1) Same-thread callbacks per second. A chain: each callback schedules the next, so one
/// callback is in flight at a time (the worst case for a loop that runs a turn per batch). And an
/// <c>await Task.Yield()</c> ping-pong between two tasks, which goes through the
/// <see cref="SynchronizationContext"/> exactly as every await on the loop does.
/// </summary>
internal static class SameThreadBenchmarks
{
    public const string Chain = "(1a) callback chain, same thread";
    public const string Yield = "(1b) await Task.Yield() ping-pong, 2 tasks";

    public const string RawQueue = "raw Queue<Action>";
    public const string RawContext = "raw Queue SynchronizationContext";
    public const string BlockingCollection = "BlockingCollection SynchronizationContext";
    public const string NitoAsyncContext = "Nito AsyncContext";
    public const string LoopCallSoon = "AioLoop.CallSoon";
    public const string LoopCallSoonWatched = "AioLoop.CallSoon, loop-lag watchdog on (100 ms)";
    public const string LoopPost = "AioLoop.Post (SynchronizationContext)";
    public const string LoopTasks = "AioLoop, 2 AioTasks";

    public static void Run(Harness harness)
    {
        harness.Measure(Chain, RawQueue, new RawQueueChain().Run);
        harness.Measure(Chain, BlockingCollection, new ContextChain(BlockingCollectionContext.Run).Run);
        harness.Measure(Chain, NitoAsyncContext, new ContextChain(AsyncContext.Run).Run);
        // The watchdog as a program has it by default (a monitor thread samples the loop's callback counter every 25 ms;
        // the loop itself does nothing more), measured in alternation with the chain without it, so that drift and
        // the JIT's tiering weigh on both alike.
        harness.MeasurePair(
            Chain,
            (LoopCallSoon, new LoopCallSoonChain(new AioLoop()).Run),
            (LoopCallSoonWatched, new LoopCallSoonChain(new AioLoop { LoopLagWarning = AioRunOptions.DefaultLoopLagWarning }).Run));
        harness.Measure(Chain, LoopPost, new LoopPostChain().Run);

        harness.Measure(Yield, RawContext, ops => YieldOn(RawQueueContext.Run, ops));
        harness.Measure(Yield, BlockingCollection, ops => YieldOn(BlockingCollectionContext.Run, ops));
        harness.Measure(Yield, NitoAsyncContext, ops => YieldOn(AsyncContext.Run, ops));
        var loop = new AioLoop();
        harness.Measure(Yield, LoopTasks, ops => YieldOnLoop(loop, ops));
        loop.Close();
    }

    private static async Task Pinger(long count)
    {
        for (long i = 0; i < count; i++)
        {
            await Task.Yield();
        }
    }

    private static Sample YieldOn(Action<Func<Task>> runContext, long ops) =>
        Sample.OnThisThread(ops, () => runContext(() => Task.WhenAll(Pinger(ops / 2), Pinger(ops - (ops / 2)))));

    private static Sample YieldOnLoop(AioLoop loop, long ops) =>
        Sample.OnThisThread(ops, () =>
        {
            AioTask ping = loop.CreateTask(() => Pinger(ops / 2), "ping");
            AioTask pong = loop.CreateTask(() => Pinger(ops - (ops / 2)), "pong");
            loop.RunUntilComplete(Task.WhenAll(ping.AsTask(), pong.AsTask()));
        });

    /// <summary>The ceiling: a queue of delegates drained in a loop.</summary>
    private sealed class RawQueueChain
    {
        private readonly Queue<Action> _queue = new();
        private readonly Action _step;
        private long _remaining;

        public RawQueueChain() => _step = Step;

        public Sample Run(long ops)
        {
            _remaining = ops;
            _queue.Enqueue(_step);
            return Sample.OnThisThread(ops, () =>
            {
                while (_queue.TryDequeue(out Action? next))
                {
                    next();
                }
            });
        }

        private void Step()
        {
            if (--_remaining > 0)
            {
                _queue.Enqueue(_step);
            }
        }
    }

    /// <summary>A chain of <see cref="SynchronizationContext.Post"/> on a peer context.</summary>
    private sealed class ContextChain
    {
        private readonly Action<Func<Task>> _runContext;
        private readonly SendOrPostCallback _step;
        private SynchronizationContext? _context;
        private TaskCompletionSource? _done;
        private long _remaining;

        public ContextChain(Action<Func<Task>> runContext)
        {
            _runContext = runContext;
            _step = Step;
        }

        public Sample Run(long ops)
        {
            _remaining = ops;
            return Sample.OnThisThread(ops, () => _runContext(Start));
        }

        private Task Start()
        {
            _context = SynchronizationContext.Current!;
            _done = new TaskCompletionSource();
            _context.Post(_step, null);
            return _done.Task;
        }

        private void Step(object? state)
        {
            if (--_remaining > 0)
            {
                _context!.Post(_step, null);
            }
            else
            {
                _done!.SetResult();
            }
        }
    }

    private sealed class LoopCallSoonChain
    {
        private readonly AioLoop _loop;
        private readonly Action _step;
        private long _remaining;

        public LoopCallSoonChain(AioLoop loop)
        {
            _loop = loop;
            _step = Step;
        }

        public Sample Run(long ops)
        {
            _remaining = ops;
            _loop.CallSoon(_step);
            return Sample.OnThisThread(ops, _loop.RunForever);
        }

        private void Step()
        {
            if (--_remaining > 0)
            {
                _loop.CallSoon(_step);
            }
            else
            {
                _loop.Stop();
            }
        }
    }

    private sealed class LoopPostChain
    {
        private readonly AioLoop _loop = new();
        private readonly SendOrPostCallback _step;
        private long _remaining;

        public LoopPostChain() => _step = Step;

        public Sample Run(long ops)
        {
            _remaining = ops;
            _loop.Post(_step, null);
            return Sample.OnThisThread(ops, _loop.RunForever);
        }

        private void Step(object? state)
        {
            if (--_remaining > 0)
            {
                _loop.Post(_step, null);
            }
            else
            {
                _loop.Stop();
            }
        }
    }
}
