using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// The loop's executor (asyncio's <c>run_in_executor</c>): synchronous work on thread-pool threads,
/// at most <see cref="MaxWorkers"/> at once, counted so that the shutdown can wait for all of it.
/// </summary>
internal sealed class Executor
{
    private readonly AioLoop _loop;
    private readonly ConcurrentQueue<Job> _waiting = new();
    private int? _maxWorkers;
    private int _running;
    private int _pending;

    public Executor(AioLoop loop) => _loop = loop;

    public int? MaxWorkers
    {
        get => _maxWorkers;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(AioLoop.ExecutorWorkers), value, $"ExecutorWorkers must be 1 or more (or null for no bound); it was {value}.");
            }

            _maxWorkers = value;
        }
    }

    /// <summary>Work items submitted and not yet finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Work items waiting for a worker under <see cref="MaxWorkers"/>. Any thread.</summary>
    public int Queued => _waiting.Count;

    /// <summary>Work items handed to worker threads (running, or about to on the thread pool). Any thread.</summary>
    public int Active => Math.Max(0, Pending - Queued);

    public Task Run(Action work)
    {
        var job = new Job<object?>(this, work, null);
        Submit(job);
        return job.Task;
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var job = new Job<T>(this, null, work);
        Submit(job);
        return job.Task;
    }

    private void Submit(Job job)
    {
        Interlocked.Increment(ref _pending);
        if (!job.Counted)
        {
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            return;
        }

        _waiting.Enqueue(job);
        StartWaitingJobs();
    }

    /// <summary>Starts queued jobs while fewer than the bound run.</summary>
    private void StartWaitingJobs()
    {
        int max = _maxWorkers ?? int.MaxValue;
        while (!_waiting.IsEmpty)
        {
            int running = Volatile.Read(ref _running);
            if (running >= max)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) != running)
            {
                continue;
            }

            if (_waiting.TryDequeue(out Job? job))
            {
                ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            }
            else
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    private void OnJobDone(bool counted)
    {
        if (counted)
        {
            Interlocked.Decrement(ref _running);
            StartWaitingJobs();
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _loop.Wakeup();
        }
    }

    private abstract class Job : IThreadPoolWorkItem
    {
        /// <summary>Whether the job counts against the bound (decided once, when it is submitted).</summary>
        public abstract bool Counted { get; }

        public abstract void Execute();
    }

    /// <summary>
    /// One work item; it is its own completion source, so a submission allocates one object and its task. The task
    /// carries the job as its state: if it fails and nobody awaits it, the GC's report reaches the loop (see <see cref="UnobservedFailures"/>).
    /// </summary>
    private sealed class Job<T> : Job, IReportsUnobservedFailure
    {
        private readonly Executor _executor;
        // Dropped once run: the job stays reachable from its task (as its state), the work's closure need not.
        private Action? _action;
        private Func<T>? _func;
        private readonly bool _counted;
        private readonly TaskCompletionSource<T> _completion;

        public Job(Executor executor, Action? action, Func<T>? func)
        {
            _completion = new TaskCompletionSource<T>(this, TaskCreationOptions.RunContinuationsAsynchronously);
            _executor = executor;
            _action = action;
            _func = func;
            _counted = executor._maxWorkers is not null;
        }

        public Task<T> Task => _completion.Task;

        public bool TryReportUnobserved(Task task, Exception error)
        {
            if (task != _completion.Task)
            {
                return false;
            }

            _executor._loop.ReportFromAnotherThread(new AioExceptionContext("Exception in executor work that nobody awaited", error));
            return true;
        }

        public override bool Counted => _counted;

        public override void Execute()
        {
            Func<T>? func = _func;
            Action? action = _action;
            _func = null;
            _action = null;
            try
            {
                T result = default!;
                if (func is not null)
                {
                    result = func();
                }
                else
                {
                    action!();
                }

                _completion.TrySetResult(result);
            }
            catch (OperationCanceledException oce)
            {
                _completion.TrySetCanceled(oce.CancellationToken);
            }
            catch (Exception ex)
            {
                _completion.TrySetException(ex);
            }
            finally
            {
                // After the result is set (its continuations are already queued on the loop), so the
                // shutdown's executor phase never closes the loop under them.
                _executor.OnJobDone(_counted);
            }
        }
    }
}
