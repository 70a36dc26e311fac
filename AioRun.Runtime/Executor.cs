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
    // Made when a bound is set (only bounded work waits): a loop whose executor is never bounded never loads the job
    // types, nor the framework facade their interface lives in, at its start.
    private ConcurrentQueue<Job>? _waiting;
    // The jobs in flight, for the task report: a list threaded through the jobs themselves, so that tracking one
    // allocates nothing; short locks, since jobs are submitted on the loop and finish on pool threads.
    private readonly object _inFlightGate = new();
    private Job? _inFlight;
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

            if (value is not null)
            {
                Volatile.Write(ref _waiting, _waiting ?? new ConcurrentQueue<Job>());
            }

            _maxWorkers = value;
        }
    }

    /// <summary>Work items submitted and not yet finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Work items waiting for a worker under <see cref="MaxWorkers"/>. Any thread.</summary>
    public int Queued => Volatile.Read(ref _waiting)?.Count ?? 0;

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

    /// <summary>The work items in flight (queued or running), oldest first, as the task report shows them. Any thread.</summary>
    public InFlightWork[] SnapshotInFlight()
    {
        var items = new System.Collections.Generic.List<InFlightWork>();
        lock (_inFlightGate)
        {
            for (Job? job = _inFlight; job is not null; job = job.Next)
            {
                items.Add(new InFlightWork(job.SubmittedAt, job.Started, job.Caller));
            }
        }

        // The list is newest first.
        items.Reverse();
        return items.ToArray();
    }

    private void Submit(Job job)
    {
        // Before the job can run: a caller cancelled meanwhile must find the registration in place.
        if (AioTask.Current is { } caller)
        {
            job.WatchCaller(caller);
        }

        job.SubmittedAt = _loop.AgeTimestamp();
        lock (_inFlightGate)
        {
            job.Next = _inFlight;
            if (_inFlight is not null)
            {
                _inFlight.Previous = job;
            }

            _inFlight = job;
        }

        Interlocked.Increment(ref _pending);
        if (!job.Counted)
        {
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            return;
        }

        _waiting!.Enqueue(job); // counted work exists only under a bound, which made the queue
        StartWaitingJobs();
    }

    /// <summary>Starts queued jobs while fewer than the bound run.</summary>
    private void StartWaitingJobs()
    {
        int max = _maxWorkers ?? int.MaxValue;
        ConcurrentQueue<Job>? waiting = Volatile.Read(ref _waiting);
        while (waiting is { IsEmpty: false })
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

            if (waiting.TryDequeue(out Job? job))
            {
                ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            }
            else
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    private void OnJobDone(Job job, bool counted)
    {
        lock (_inFlightGate)
        {
            if (job.Previous is not null)
            {
                job.Previous.Next = job.Next;
            }
            else
            {
                _inFlight = job.Next;
            }

            if (job.Next is not null)
            {
                job.Next.Previous = job.Previous;
            }

            job.Previous = null;
            job.Next = null;
        }

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
        /// <summary>Neighbours in the executor's list of jobs in flight (under its lock).</summary>
        public Job? Previous;

        public Job? Next;

        /// <summary>When the job was submitted, on the loop's age clock.</summary>
        public long SubmittedAt;

        /// <summary>Whether a worker took the job (it no longer waits for one).</summary>
        public volatile bool Started;

        /// <summary>The task that submitted the job, until it is done.</summary>
        public volatile AioTask? Caller;

        /// <summary>Whether the job counts against the bound (decided once, when it is submitted).</summary>
        public abstract bool Counted { get; }

        /// <summary>
        /// The awaiting task's cancellation ends the await at once with <see cref="OperationCanceledException"/>, as in
        /// asyncio; the work itself runs on, and the shutdown still waits for it.
        /// </summary>
        public abstract void WatchCaller(AioTask caller);

        public abstract void Execute();
    }

    /// <summary>
    /// One work item; it is its own completion source, so a submission allocates one object and its task. The task
    /// carries the job as its state: if it fails and nobody awaits it, the GC's report reaches the loop (see <see cref="UnobservedFailures"/>).
    /// </summary>
    private sealed class Job<T> : Job, IReportsUnobservedFailure, IReportedWait
    {
        private readonly Executor _executor;
        // Dropped once run: the job stays reachable from its task (as its state), the work's closure need not.
        private Action? _action;
        private Func<T>? _func;
        private readonly bool _counted;
        private readonly TaskCompletionSource<T> _completion;
        private CancellationTokenRegistration _callerCancelled;

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

        public override void WatchCaller(AioTask caller)
        {
            Caller = caller;
            _callerCancelled = caller.CancellationToken.UnsafeRegister(static (state, token) => ((Job<T>)state!)._completion.TrySetCanceled(token), this);
            caller.NoteWaitingOn(this);
        }

        public string? DescribeWait(in ReportTime time) => _completion.Task.IsCompleted
            ? null
            : $"waiting on executor work ({(Started ? "running" : "queued")}, age {time.Age(SubmittedAt)})";

        public override void Execute()
        {
            Started = true;
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
                if (!_completion.TrySetException(ex))
                {
                    // The caller was cancelled and its await is over: nobody can see this failure any more.
                    _executor._loop.ReportFromAnotherThread(new AioExceptionContext("Exception in executor work that nobody awaited", ex));
                }
            }
            finally
            {
                // Does not wait for a cancellation callback running elsewhere (it only cancels the caller's await).
                _callerCancelled.Unregister();
                if (Caller is { } caller)
                {
                    // The task's report no longer needs this job, nor should the task keep its result alive.
                    caller.ForgetWaitingOn(this);
                    Caller = null;
                }

                // After the result is set (its continuations are already queued on the loop), so the
                // shutdown's executor phase never closes the loop under them.
                _executor.OnJobDone(this, _counted);
            }
        }
    }
}

/// <summary>An executor work item in flight, as the task report shows it.</summary>
/// <param name="SubmittedAt">When it was submitted, on the loop's age clock.</param>
/// <param name="Started">Whether a worker runs it (else it waits for one, under <c>ExecutorWorkers</c>).</param>
/// <param name="Caller">The task that submitted it, if any.</param>
internal readonly record struct InFlightWork(long SubmittedAt, bool Started, AioTask? Caller);
