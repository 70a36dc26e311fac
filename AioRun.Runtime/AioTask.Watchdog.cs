using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>AioTask: what the loop-lag watchdog asks a task, from its own thread.</summary>
public partial class AioTask
{
    /// <summary>Whether this task runs <paramref name="work"/> (the Task its work returned, kept while it runs). Any thread.</summary>
    internal bool IsRunning(Task work) => ReferenceEquals(Volatile.Read(ref _workOrInner), work);
}
