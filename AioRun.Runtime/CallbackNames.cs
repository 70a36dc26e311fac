using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AioRun;

/// <summary>
/// Names a callback of the ready queue for the loop-lag watchdog, in the user's words: the tracked task it belongs to
/// (<c>task 'name' (created at file:line)</c>), else its async method (<c>async method 'Type.Method'</c>), else its
/// method (<c>callback 'Type.Method'</c>).
/// </summary>
/// <remarks>
/// Trimming- and NativeAOT-safe: an await continuation's target is its async method's box, a generic type whose
/// argument is the state machine, named <c>&lt;Method&gt;d__N</c>; only its type name is read.
/// <see cref="Delegate.Method"/> may lack metadata under NativeAOT: the target's type name stands in then.
/// </remarks>
internal static class CallbackNames
{
    /// <summary>What the loop runs when it is busy outside any callback (the entry of a <c>void Main</c> before the first turn, say).</summary>
    public const string Unknown = "code on the loop outside any callback";

    public static string Describe(AioLoop loop, in WorkItem item)
    {
        switch (item.State)
        {
            case AioTask task:
                // Starting a task: its work runs up to its first await.
                return Of(task);
            case TaskCompletionHook { Task: { } hooked }:
                return Of(hooked);
            case CallbackTimer timer:
                return Describe(loop, timer.Callback);
            case Delegate continuation when item.Callback is SendOrPostCallback:
                // An await continuation posted to the loop: the continuation is the state.
                return Describe(loop, continuation);
            case { } state when AsyncMethod(loop, state) is { } resumed:
                // Some awaiters (Task.Yield's) post the async method's box itself.
                return resumed;
        }

        return item.Callback is Delegate callback ? Describe(loop, callback) : Unknown;
    }

    private static string Describe(AioLoop loop, Delegate callback)
    {
        object? target = callback.Target;
        if (target is TaskCompletionHook { Task: { } hooked })
        {
            return Of(hooked);
        }

        if (target is not null && AsyncMethod(loop, target) is { } resumed)
        {
            // An await continuation is its async method's box's MoveNext.
            return resumed;
        }

        return "callback '" + MethodName(callback) + "'";
    }

    /// <summary>
    /// If <paramref name="box"/> is an async method's box: the task whose work it is (the Task an async method returns is
    /// its box, and a task's top-level method is its work), else the async method. Otherwise <see langword="null"/>.
    /// </summary>
    private static string? AsyncMethod(AioLoop loop, object box)
    {
        if (StateMachineOf(box.GetType()) is not { } stateMachine)
        {
            return null;
        }

        if (box is Task work && loop.FindTaskRunning(work) is { } owner)
        {
            return Of(owner);
        }

        return "async method '" + Readable(stateMachine.Name, stateMachine.DeclaringType) + "'";
    }

    private static string Of(AioTask task) => "task '" + task.Name + "' (created at " + task.CreationSite + ")";

    /// <summary>The state machine type among the generic arguments of an async method's box, if it is one.</summary>
    private static Type? StateMachineOf(Type box)
    {
        if (!box.IsGenericType)
        {
            return null;
        }

        foreach (Type argument in box.GetGenericArguments())
        {
            if (typeof(IAsyncStateMachine).IsAssignableFrom(argument))
            {
                return argument;
            }
        }

        return null;
    }

    private static string MethodName(Delegate callback)
    {
        try
        {
            MethodInfo method = callback.Method;
            return Readable(method.Name, method.DeclaringType);
        }
        catch (NotSupportedException)
        {
            return callback.Target?.GetType().Name ?? "a static method";
        }
    }

    /// <summary>
    /// <c>Type.Method</c> for a method or a state machine, seen through what the compiler generates:
    /// <c>&lt;Outer&gt;b__0_1</c> is a lambda in Outer, <c>&lt;Outer&gt;g__Local|0_0</c> the local function Local,
    /// <c>&lt;Method&gt;d__3</c> the state machine of Method; closure classes give way to the type that holds them.
    /// </summary>
    internal static string Readable(string name, Type? declaringType)
    {
        while (declaringType is not null && declaringType.Name.StartsWith('<') && declaringType.DeclaringType is not null)
        {
            declaringType = declaringType.DeclaringType;
        }

        string method = ReadableMember(name);
        return declaringType is null ? method : declaringType.Name + "." + method;
    }

    private static string ReadableMember(string name)
    {
        if (!name.StartsWith('<'))
        {
            return name;
        }

        int depth = 0;
        int close = -1;
        for (int i = 0; i < name.Length && close < 0; i++)
        {
            if (name[i] == '<')
            {
                depth++;
            }
            else if (name[i] == '>' && --depth == 0)
            {
                close = i;
            }
        }

        if (close < 0)
        {
            return name;
        }

        string outer = ReadableMember(name.Substring(1, close - 1));
        string rest = name.Substring(close + 1);
        if (rest.StartsWith("b__", StringComparison.Ordinal))
        {
            return outer + " (lambda)";
        }

        if (rest.StartsWith("g__", StringComparison.Ordinal))
        {
            int end = rest.IndexOf('|', StringComparison.Ordinal);
            return outer + "." + (end > 3 ? rest.Substring(3, end - 3) : rest.Substring(3));
        }

        return outer;
    }
}
