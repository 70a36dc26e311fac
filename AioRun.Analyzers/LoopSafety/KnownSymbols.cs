using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// The types the loop-safety rules look for, resolved once per compilation. <see cref="TryCreate"/> returns
/// <see langword="null"/> when the compilation does not reference AioRun: the rules are then inactive.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation, INamedTypeSymbol aioLoop)
    {
        AioLoop = aioLoop;
        AioAssembly = aioLoop.ContainingAssembly;
        Aio = compilation.GetTypeByMetadataName("AioRun.Aio");
        AioTask = compilation.GetTypeByMetadataName("AioRun.AioTask");
        AioTaskOfT = compilation.GetTypeByMetadataName("AioRun.AioTask`1");

        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        TaskFactoryOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
        Parallel = compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        Timer = compilation.GetTypeByMetadataName("System.Threading.Timer");
        TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        Console = compilation.GetTypeByMetadataName("System.Console");

        ConfiguredAwaitables = Set(
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1"));

        TaskAwaiters = Set(
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.TaskAwaiter"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.TaskAwaiter`1"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ValueTaskAwaiter"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ValueTaskAwaiter`1"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable+ConfiguredValueTaskAwaiter"),
            compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1+ConfiguredValueTaskAwaiter"));

        HostedServiceMembers = HostedServiceMembersOf(compilation);

        // Types whose methods wait synchronously by design and have no awaitable twin to find by name.
        SynchronousWaitTypes = Set(
            compilation.GetTypeByMetadataName("System.Threading.Monitor"),
            compilation.GetTypeByMetadataName("System.Threading.WaitHandle"),
            compilation.GetTypeByMetadataName("System.Threading.ManualResetEventSlim"),
            compilation.GetTypeByMetadataName("System.Threading.CountdownEvent"),
            compilation.GetTypeByMetadataName("System.Threading.Barrier"),
            compilation.GetTypeByMetadataName("System.Threading.SpinWait"));
    }

    /// <summary>The types of AioRun, or <see langword="null"/> if the compilation does not reference AioRun.</summary>
    public static KnownSymbols? TryCreate(Compilation compilation)
    {
        INamedTypeSymbol? aioLoop = compilation.GetTypeByMetadataName("AioRun.AioLoop");
        return aioLoop is null ? null : new KnownSymbols(compilation, aioLoop);
    }

    public INamedTypeSymbol AioLoop { get; }

    public IAssemblySymbol AioAssembly { get; }

    public INamedTypeSymbol? Aio { get; }

    public INamedTypeSymbol? AioTask { get; }

    public INamedTypeSymbol? AioTaskOfT { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? TaskFactory { get; }

    public INamedTypeSymbol? TaskFactoryOfT { get; }

    public INamedTypeSymbol? Parallel { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? ThreadPool { get; }

    public INamedTypeSymbol? Timer { get; }

    public INamedTypeSymbol? TimersTimer { get; }

    public INamedTypeSymbol? SemaphoreSlim { get; }

    public INamedTypeSymbol? Console { get; }

    public ImmutableHashSet<INamedTypeSymbol> ConfiguredAwaitables { get; }

    public ImmutableHashSet<INamedTypeSymbol> TaskAwaiters { get; }

    public ImmutableHashSet<INamedTypeSymbol> SynchronousWaitTypes { get; }

    /// <summary>
    /// In a compilation that references AioRun.Hosting (whose <c>UseAioRun()</c> runs the host on the loop): the members of
    /// <c>IHostedService</c>, <c>IHostedLifecycleService</c> and <c>BackgroundService</c> that the host calls on the loop thread,
    /// so that a synchronous implementation or override of one is code on the loop. Empty otherwise.
    /// </summary>
    public ImmutableHashSet<IMethodSymbol> HostedServiceMembers { get; }

    private static ImmutableHashSet<IMethodSymbol> HostedServiceMembersOf(Compilation compilation)
    {
        if (compilation.GetTypeByMetadataName("AioRun.Hosting.AioHostingExtensions") is null)
        {
            return ImmutableHashSet<IMethodSymbol>.Empty;
        }

        var members = ImmutableHashSet.CreateBuilder<IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach ((string type, string[] names) in new[]
        {
            ("Microsoft.Extensions.Hosting.IHostedService", new[] { "StartAsync", "StopAsync" }),
            ("Microsoft.Extensions.Hosting.IHostedLifecycleService", new[] { "StartingAsync", "StartedAsync", "StoppingAsync", "StoppedAsync" }),
            ("Microsoft.Extensions.Hosting.BackgroundService", new[] { "StartAsync", "StopAsync", "ExecuteAsync" }),
        })
        {
            if (compilation.GetTypeByMetadataName(type) is { } symbol)
            {
                foreach (string name in names)
                {
                    members.UnionWith(symbol.GetMembers(name).OfType<IMethodSymbol>());
                }
            }
        }

        return members.ToImmutable();
    }

    /// <summary>Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
    public bool IsTaskLike(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        INamedTypeSymbol definition = named.OriginalDefinition;
        return Is(definition, Task) || Is(definition, TaskOfT) || Is(definition, ValueTask) || Is(definition, ValueTaskOfT);
    }

    /// <summary>A task-like type or a ConfigureAwait result: what a dropped call leaves running.</summary>
    public bool IsTaskOrConfiguredAwaitable(ITypeSymbol? type) =>
        IsTaskLike(type) || (type is INamedTypeSymbol named && ConfiguredAwaitables.Contains(named.OriginalDefinition));

    /// <summary>Task or Task&lt;T&gt; (not ValueTask).</summary>
    public bool IsTask(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && (Is(named.OriginalDefinition, Task) || Is(named.OriginalDefinition, TaskOfT));

    /// <summary>ValueTask or ValueTask&lt;T&gt;.</summary>
    public bool IsValueTask(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && (Is(named.OriginalDefinition, ValueTask) || Is(named.OriginalDefinition, ValueTaskOfT));

    /// <summary>AioTask or AioTask&lt;T&gt;: tracked by the loop.</summary>
    public bool IsAioTask(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && (Is(named.OriginalDefinition, AioTask) || Is(named.OriginalDefinition, AioTaskOfT));

    /// <summary>What awaiting a task-like <paramref name="type"/> gives: the T of Task&lt;T&gt;/ValueTask&lt;T&gt;, or <see langword="null"/> for the non-generic ones.</summary>
    public static ITypeSymbol? AwaitResult(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named ? named.TypeArguments[0] : null;

    public bool IsCancellationToken(ITypeSymbol? type) => Is(type, CancellationToken);

    /// <summary>
    /// The calls whose work the loop tracks, so that dropping their task loses nothing: <c>CreateTask</c> (the shutdown
    /// cancels the task and waits for it), <c>ShutdownWaitsFor</c> (protected; the shutdown waits for it),
    /// <c>RunInExecutor</c> (the shutdown waits for it; an unobserved failure reaches the exception handler) and
    /// <c>AioTask.AsTask</c> (of a task that is itself tracked). AIO001 and the CS4014 suppressor both ask this.
    /// </summary>
    public bool IsTrackedWork(IMethodSymbol method) =>
        IsAioRunMember(method) && method.Name is "CreateTask" or "ShutdownWaitsFor" or "RunInExecutor" or "AsTask";

    public bool IsAioRunMember(ISymbol symbol) => SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, AioAssembly);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && type is not null && SymbolEqualityComparer.Default.Equals(type, known);

    private static ImmutableHashSet<INamedTypeSymbol> Set(params INamedTypeSymbol?[] types)
    {
        ImmutableHashSet<INamedTypeSymbol>.Builder builder = ImmutableHashSet.CreateBuilder<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (INamedTypeSymbol? type in types)
        {
            if (type is not null)
            {
                builder.Add(type);
            }
        }

        return builder.ToImmutable();
    }
}
