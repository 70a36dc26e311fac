using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// AIO003: in code on the loop, calls that block the loop thread: <c>.Result</c>, <c>.Wait()</c>,
/// <c>GetAwaiter().GetResult()</c>, <c>Task.WaitAll/WaitAny</c>, <c>Thread.Sleep</c>, <c>SemaphoreSlim.Wait</c>,
/// <c>Monitor.Wait</c>, <c>WaitHandle.WaitOne</c> and the like, and any synchronous member with an awaitable twin
/// (<c>X</c> → <c>XAsync</c>). Members are added or removed with the <c>.editorconfig</c> options
/// <see cref="BlockingMembersOption"/> and <see cref="NonBlockingMembersOption"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : LoopSafetyAnalyzer
{
    /// <summary>The .editorconfig option that adds blocking members (see <see cref="MemberList"/> for the syntax).</summary>
    public const string BlockingMembersOption = "aiorun_blocking_members";

    /// <summary>The .editorconfig option that removes members (or whole types) from AIO003.</summary>
    public const string NonBlockingMembersOption = "aiorun_non_blocking_members";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BlockingCall);

    /// <inheritdoc/>
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, LoopCode loop)
    {
        var state = new State(loop, new BlockingMembers(loop.Known, start.Compilation), start.Options.AnalyzerConfigOptionsProvider);
        start.RegisterOperationAction(c => AnalyzeInvocation(c, state), OperationKind.Invocation);
        start.RegisterOperationAction(c => AnalyzeResult(c, state), OperationKind.PropertyReference);
        start.RegisterOperationAction(c => AnalyzeCreation(c, state), OperationKind.ObjectCreation);
    }

    /// <summary>Constructors that read a file: a certificate loaded from its path (no awaitable twin; load it in the executor).</summary>
    private static void AnalyzeCreation(OperationAnalysisContext context, State state)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Constructor is not { Parameters.Length: > 0 } constructor
            || constructor.Parameters[0] is not { Name: "fileName", Type.SpecialType: SpecialType.System_String }
            || constructor.ContainingType is not { Name: "X509Certificate2" or "X509Certificate", ContainingNamespace: { Name: "X509Certificates" } }
            || !state.Loop.IsOnLoop(creation, context.ContainingSymbol))
        {
            return;
        }

        Report(context, state, creation, "new " + constructor.ContainingType.Name + "(fileName, ...)", FixData.None, "Aio.RunInExecutor");
    }

    /// <summary>
    /// A dual-mode method asked for its synchronous arm from code on the loop: a constant <c>false</c> for a bool
    /// parameter named <c>async</c> (or <c>isAsync</c>, <c>useAsync</c>), or an enum value named <c>Synchronous</c>
    /// (or <c>Sync</c>, <c>Blocking</c>), given to a method that returns a task. The synchronous arm itself is not
    /// code on the loop (see <see cref="DualMode"/>); the call that selects it is where the loop blocks.
    /// </summary>
    private static string? SynchronousModeArgument(IInvocationOperation invocation, KnownSymbols known)
    {
        if (!known.IsTaskLike(invocation.TargetMethod.ReturnType))
        {
            return null;
        }

        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is not { } parameter)
            {
                continue;
            }

            IOperation value = argument.Value.WithoutConversions();
            if (parameter.Type.SpecialType == SpecialType.System_Boolean && parameter.Name is "async" or "isAsync" or "useAsync"
                && value.ConstantValue is { HasValue: true, Value: false })
            {
                return parameter.Name + ": false";
            }

            if (parameter.Type.TypeKind == TypeKind.Enum && value is IFieldReferenceOperation { Field: { Name: "Synchronous" or "Sync" or "Blocking" } member }
                && SymbolEqualityComparer.Default.Equals(member.ContainingType, parameter.Type))
            {
                return parameter.Name + ": " + member.ContainingType.Name + "." + member.Name;
            }
        }

        return null;
    }

    private static void AnalyzeResult(OperationAnalysisContext context, State state)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        KnownSymbols known = state.Loop.Known;
        if (reference.Property.Name != "Result" || reference.Instance is not { } task || !known.IsTaskLike(reference.Property.ContainingType)
            || IsAssignmentTarget(reference) || TaskState.IsKnownComplete(task, reference, known)
            || !state.Loop.IsOnLoop(reference, context.ContainingSymbol) || state.Lists(reference).RemovesType(task.Type))
        {
            return;
        }

        Report(context, state, reference, reference.Property.ContainingType.Name + ".Result", FixData.Await, "await");
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, State state)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.DelegateInvoke)
        {
            AnalyzeDelegateInvocation(context, state, invocation);
            return;
        }

        Blocking blocking = state.Members.Classify(method);
        KnownSymbols known = state.Loop.Known;
        if (blocking.Kind == BlockingKind.None)
        {
            if (SynchronousModeArgument(invocation, known) is { } mode)
            {
                if (state.Loop.IsOnLoop(invocation, context.ContainingSymbol))
                {
                    Report(context, state, invocation, $"{Display(method)}({mode})", FixData.None, "its asynchronous mode");
                }

                return;
            }

            // Only the user's list can still make it blocking.
            Lists listed = state.Lists(invocation);
            if (!listed.Blocking.Contains(method) || !state.Loop.IsOnLoop(invocation, context.ContainingSymbol))
            {
                return;
            }

            Report(context, state, invocation, Display(method), FixData.None, "an awaitable alternative, or Aio.RunInExecutor");
            return;
        }

        if (IsExemptByArguments(invocation, blocking, known) || !state.Loop.IsOnLoop(invocation, context.ContainingSymbol))
        {
            return;
        }

        Lists lists = state.Lists(invocation);
        if (lists.NonBlocking.Contains(method) || lists.RemovesType(ReceiverType(invocation)) || WrapsRemovedStream(invocation.Instance, lists))
        {
            return;
        }

        switch (blocking.Kind)
        {
            case BlockingKind.TaskWait:
                Report(context, state, invocation, "Task.Wait", method.Parameters.Length == 0 ? FixData.Await : FixData.None, "await");
                break;
            case BlockingKind.WaitAll:
                Report(context, state, invocation, "Task.WaitAll", OnlyTasks(method) ? FixData.WhenAll : FixData.None, "await Task.WhenAll");
                break;
            case BlockingKind.WaitAny:
                Report(context, state, invocation, "Task.WaitAny", OnlyTasks(method) && invocation.Parent is IExpressionStatementOperation ? FixData.WhenAny : FixData.None, "await Task.WhenAny");
                break;
            case BlockingKind.GetResult:
                // The fix needs the task: x.GetAwaiter().GetResult().
                bool fixable = invocation.Instance?.WithoutConversions() is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: not null };
                Report(context, state, invocation, "GetAwaiter().GetResult()", fixable ? FixData.Await : FixData.None, "await");
                break;
            case BlockingKind.Sleep:
                ReportSleep(context, state, invocation);
                break;
            case BlockingKind.Twin:
                if (context.Compilation.IsSymbolAccessibleWithin(blocking.Twin!, context.ContainingSymbol.ContainingType ?? (ISymbol)context.Compilation.Assembly, ReceiverType(invocation)))
                {
                    ReportTwin(context, state, invocation, blocking);
                }

                break;
            default:
                Report(context, state, invocation, Display(method), FixData.None, "an awaitable alternative, or Aio.RunInExecutor");
                break;
        }
    }

    /// <summary>
    /// A local delegate invoked on the loop (<c>close()</c>, <c>close?.Invoke()</c>) whose every value in its function is
    /// a method group of a blocking member (<c>Action? close = null; ... close = connection.Close;</c>): the call
    /// through it blocks as the member does. A delegate given anything else (a lambda, a parameter, another delegate)
    /// is not followed.
    /// </summary>
    private static void AnalyzeDelegateInvocation(OperationAnalysisContext context, State state, IInvocationOperation invocation)
    {
        IOperation? target = invocation.Instance?.WithoutConversions();
        IOperation call = invocation;
        if (target is IConditionalAccessInstanceOperation)
        {
            for (IOperation? current = invocation.Parent; current is not null; current = current.Parent)
            {
                if (current is IConditionalAccessOperation access)
                {
                    target = access.Operation.WithoutConversions();
                    call = access;
                    break;
                }
            }
        }

        if (target is not ILocalReferenceOperation { Local: var local } || !state.Loop.IsOnLoop(invocation, context.ContainingSymbol)
            || BlockingGroupOf(local, invocation.Root(), state) is not { } group)
        {
            return;
        }

        (IMethodReferenceOperation reference, Blocking blocking) = group;
        IMethodSymbol method = reference.Method;
        if (blocking.Kind == BlockingKind.Twin
            && !context.Compilation.IsSymbolAccessibleWithin(blocking.Twin!, context.ContainingSymbol.ContainingType ?? (ISymbol)context.Compilation.Assembly, reference.Instance?.WithoutConversions().Type))
        {
            return;
        }

        string use = blocking.Kind == BlockingKind.Twin ? "await " + blocking.Twin!.ContainingType.Name + "." + blocking.Twin.Name : "an awaitable alternative, or Aio.RunInExecutor";
        Report(context, state, call, Display(method) + " (through a delegate)", FixData.None, use);
    }

    /// <summary>The blocking method group that is the only thing <paramref name="local"/> is ever given (besides null), or null.</summary>
    private static (IMethodReferenceOperation Reference, Blocking Blocking)? BlockingGroupOf(ILocalSymbol local, IOperation root, State state)
    {
        (IMethodReferenceOperation, Blocking)? found = null;
        foreach (IOperation operation in root.Descendants())
        {
            IOperation? value;
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    value = declarator.Initializer?.Value;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation written } assignment when SymbolEqualityComparer.Default.Equals(written.Local, local):
                    value = assignment.Value;
                    break;
                case IAssignmentOperation { Target: ILocalReferenceOperation written } when SymbolEqualityComparer.Default.Equals(written.Local, local):
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out, Value: ILocalReferenceOperation passed } when SymbolEqualityComparer.Default.Equals(passed.Local, local):
                    return null;
                default:
                    continue;
            }

            if (value is null)
            {
                continue;
            }

            value = value.WithoutConversions();
            if (value.ConstantValue is { HasValue: true, Value: null } || value is IDefaultValueOperation)
            {
                continue;
            }

            if (value is not IDelegateCreationOperation { Target: IMethodReferenceOperation reference }
                || !IsBlockingGroup(reference, state, out Blocking blocking))
            {
                return null;
            }

            found = (reference, blocking);
        }

        return found;
    }

    private static bool IsBlockingGroup(IMethodReferenceOperation reference, State state, out Blocking blocking)
    {
        IMethodSymbol method = reference.Method;
        blocking = state.Members.Classify(method);
        Lists lists = state.Lists(reference);
        if (blocking.Kind == BlockingKind.None)
        {
            return false;
        }

        return !lists.NonBlocking.Contains(method) && !lists.RemovesType(reference.Instance?.WithoutConversions().Type ?? method.ContainingType);
    }

    private static void ReportSleep(OperationAnalysisContext context, State state, IInvocationOperation invocation)
    {
        IOperation delay = invocation.Arguments[0].Value;
        string argument;
        if (delay.ConstantValue is { HasValue: true, Value: int milliseconds })
        {
            argument = milliseconds < 0
                ? FixData.SleepInfinite
                : (milliseconds / 1000.0).ToString("0.0##", CultureInfo.InvariantCulture);
        }
        else
        {
            argument = delay.Type?.SpecialType == SpecialType.System_Int32 ? FixData.SleepMilliseconds : FixData.SleepTimeSpan;
        }

        ImmutableDictionary<string, string?> extra = ImmutableDictionary<string, string?>.Empty.Add(FixData.SleepArgument, argument);
        Report(context, state, invocation, "Thread.Sleep", FixData.Sleep, "await Aio.Sleep", extra);
    }

    private static void ReportTwin(OperationAnalysisContext context, State state, IInvocationOperation invocation, Blocking blocking)
    {
        IMethodSymbol twin = blocking.Twin!;
        ImmutableDictionary<string, string?> extra = ImmutableDictionary<string, string?>.Empty.Add(FixData.Twin, twin.Name);
        string fix = invocation.Syntax is InvocationExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax or GenericNameSyntax }
            ? FixData.AsyncTwin
            : FixData.None;
        if (blocking.TwinTokenOrdinal >= 0)
        {
            extra = extra.Add(FixData.TokenArgument, AllArgumentsPositional(invocation) ? FixData.Positional : twin.Parameters[blocking.TwinTokenOrdinal].Name);
        }

        Report(context, state, invocation, Display(invocation.TargetMethod), fix, "await " + twin.ContainingType.Name + "." + twin.Name, extra);
    }

    private static void Report(OperationAnalysisContext context, State state, IOperation operation, string what, string fix, string use, ImmutableDictionary<string, string?>? extra = null)
    {
        ImmutableDictionary<string, string?> properties = (extra ?? ImmutableDictionary<string, string?>.Empty).Add(FixData.Fix, fix);
        string? token = state.Loop.EnclosingTokenParameter(operation, context.ContainingSymbol);
        if (token is not null)
        {
            properties = properties.Add(FixData.Token, token);
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingCall, operation.Syntax.GetLocation(), properties, what, use));
    }

    /// <summary>Known non-blocking uses: SemaphoreSlim.Wait(0), Thread.Sleep(0), waits on a task known to be complete.</summary>
    private static bool IsExemptByArguments(IInvocationOperation invocation, Blocking blocking, KnownSymbols known)
    {
        IMethodSymbol method = invocation.TargetMethod;
        switch (blocking.Kind)
        {
            case BlockingKind.Sleep:
                return invocation.Arguments.Length == 1 && IsZero(invocation.Arguments[0].Value);
            case BlockingKind.TaskWait:
                return invocation.Instance is { } task && TaskState.IsKnownComplete(task, invocation, known);
            case BlockingKind.GetResult:
                return invocation.Instance?.WithoutConversions() is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } awaited }
                    && TaskState.IsKnownComplete(awaited.WithoutConfigureAwait(known), invocation, known);
            case BlockingKind.Twin when KnownSymbols.Is(method.ContainingType, known.SemaphoreSlim):
                // Wait(0) / Wait(TimeSpan.Zero) only polls.
                return invocation.Arguments.Length > 0 && IsZero(invocation.Arguments[0].Value);
            case BlockingKind.Twin:
                return invocation.Instance?.WithoutConversions() is IPropertyReferenceOperation { Property.Name: "Out" or "Error" or "In" } console
                    && KnownSymbols.Is(console.Property.ContainingType, known.Console);
            default:
                return false;
        }
    }

    private static bool IsZero(IOperation value)
    {
        if (value.ConstantValue is { HasValue: true, Value: int number })
        {
            return number == 0;
        }

        return value.WithoutConversions() is IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true, ContainingType.Name: "TimeSpan" } };
    }

    /// <summary>WaitAll/WaitAny given only the tasks (no timeout, no token): WhenAll/WhenAny have the same shapes.</summary>
    private static bool OnlyTasks(IMethodSymbol method) => method.Parameters.Length == 1;

    private static bool IsAssignmentTarget(IOperation operation) =>
        operation.Parent is IAssignmentOperation assignment && assignment.Target == operation;

    /// <summary>
    /// A stream created in this function over a stream whose I/O never waits (a <c>ZLibStream</c>, <c>GZipStream</c>,
    /// <c>CryptoStream</c>, ... over a <c>MemoryStream</c>): it only transforms bytes in memory.
    /// </summary>
    private static bool WrapsRemovedStream(IOperation? receiver, Lists lists)
    {
        for (int depth = 0; depth < 4 && receiver?.WithoutConversions() is ILocalReferenceOperation local; depth++)
        {
            IOperation? inner = null;
            foreach (IOperation operation in local.Root().Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local)
                    && declarator.Initializer?.Value.WithoutConversions() is IObjectCreationOperation { Arguments.Length: > 0 } creation
                    && IsStream(creation.Type))
                {
                    inner = creation.Arguments[0].Value.WithoutConversions();
                    break;
                }
            }

            if (inner is null)
            {
                return false;
            }

            if (lists.RemovesType(inner.Type))
            {
                return true;
            }

            receiver = inner;
        }

        return false;
    }

    private static bool IsStream(ITypeSymbol? type)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (current is { Name: "Stream", ContainingNamespace: { Name: "IO", ContainingNamespace.Name: "System" } })
            {
                return true;
            }
        }

        return false;
    }

    private static ITypeSymbol? ReceiverType(IInvocationOperation invocation)
    {
        if (invocation.Instance is { } instance)
        {
            return instance.WithoutConversions().Type;
        }

        // A reduced extension call: the receiver is the first argument.
        return invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value.WithoutConversions().Type : null;
    }

    /// <summary>Every parameter got a positional argument in the source: a token can then follow positionally.</summary>
    private static bool AllArgumentsPositional(IInvocationOperation invocation)
    {
        int index = 0;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Syntax is not ArgumentSyntax syntax)
            {
                // The receiver of a reduced extension call.
                if (argument.ArgumentKind == ArgumentKind.Explicit && index == 0 && invocation.TargetMethod.IsExtensionMethod)
                {
                    index++;
                    continue;
                }

                return false;
            }

            if (argument.ArgumentKind != ArgumentKind.Explicit || syntax.NameColon is not null || argument.Parameter?.Ordinal != index)
            {
                return false;
            }

            index++;
        }

        return true;
    }

    private static string Display(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    /// <summary>Per-compilation state shared by the callbacks.</summary>
    private sealed class State
    {
        private readonly AnalyzerConfigOptionsProvider _options;
        private readonly ConcurrentDictionary<SyntaxTree, Lists> _lists = new();
        private readonly System.Func<SyntaxTree, Lists> _read;

        public State(LoopCode loop, BlockingMembers members, AnalyzerConfigOptionsProvider options)
        {
            Loop = loop;
            Members = members;
            _options = options;
            _read = Read;
        }

        public LoopCode Loop { get; }

        public BlockingMembers Members { get; }

        public Lists Lists(IOperation operation) => _lists.GetOrAdd(operation.Syntax.SyntaxTree, _read);

        private Lists Read(SyntaxTree tree)
        {
            AnalyzerConfigOptions options = _options.GetOptions(tree);
            options.TryGetValue(BlockingMembersOption, out string? blocking);
            options.TryGetValue(NonBlockingMembersOption, out string? nonBlocking);
            return new Lists(MemberList.Parse(blocking), MemberList.Parse(nonBlocking));
        }
    }

    /// <summary>The user's additions and removals in force for one file.</summary>
    private sealed class Lists
    {
        public Lists(MemberList blocking, MemberList nonBlocking)
        {
            Blocking = blocking;
            NonBlocking = nonBlocking;
        }

        public MemberList Blocking { get; }

        public MemberList NonBlocking { get; }

        /// <summary>Whether the receiver's type is excluded, by default (MemoryStream, ...) or by the user.</summary>
        public bool RemovesType(ITypeSymbol? type) =>
            BlockingMembers.DefaultNonBlocking.ContainsTypeOrBase(type) || NonBlocking.ContainsTypeOrBase(type);
    }
}
