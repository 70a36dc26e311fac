using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>How a member blocks, and what replaces it.</summary>
internal enum BlockingKind
{
    /// <summary>Does not block.</summary>
    None,

    /// <summary>Task.Wait(...).</summary>
    TaskWait,

    /// <summary>Task.WaitAll(...).</summary>
    WaitAll,

    /// <summary>Task.WaitAny(...).</summary>
    WaitAny,

    /// <summary>The GetResult of a task awaiter.</summary>
    GetResult,

    /// <summary>Thread.Sleep.</summary>
    Sleep,

    /// <summary>A wait with no awaitable replacement (Monitor.Wait, WaitHandle.WaitOne, Thread.Join, ...), or a member listed in <c>aiorun_blocking_members</c>.</summary>
    SyncWait,

    /// <summary>A synchronous member with an awaitable twin X → XAsync.</summary>
    Twin,
}

/// <summary>What a method does to the loop thread (computed once per method and compilation).</summary>
internal sealed class Blocking
{
    public static readonly Blocking No = new(BlockingKind.None, null, -1);

    public Blocking(BlockingKind kind, IMethodSymbol? twin, int twinTokenOrdinal)
    {
        Kind = kind;
        Twin = twin;
        TwinTokenOrdinal = twinTokenOrdinal;
    }

    public BlockingKind Kind { get; }

    /// <summary>The awaitable twin, for <see cref="BlockingKind.Twin"/>.</summary>
    public IMethodSymbol? Twin { get; }

    /// <summary>The ordinal of the twin's CancellationToken parameter that the original lacks, or -1.</summary>
    public int TwinTokenOrdinal { get; }
}

/// <summary>
/// Classifies methods: the known synchronous waits, and any member <c>X</c> with an awaitable twin <c>XAsync</c>
/// of compatible parameters (the same ones, then optionally a CancellationToken or optional parameters) and
/// result (<c>T</c> → <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>, <c>void</c> → <c>Task</c>/<c>ValueTask</c>).
/// </summary>
internal sealed class BlockingMembers
{
    /// <summary>
    /// Members that are not worth reporting by default: in-memory streams, readers and writers (their
    /// "I/O" never waits), Dispose (use <c>await using</c> where it matters), CancellationTokenSource.Cancel,
    /// completing a pipe's reader or writer (it only marks the pipe), <c>DbDataReader.IsDBNull</c> (a row that
    /// <c>Read</c>/<c>ReadAsync</c> returned is in memory, unless the reader was opened with
    /// <c>CommandBehavior.SequentialAccess</c>), and the APIs vs-threading excludes from VSTHRD103 for having an Async
    /// twin that is not preferred.
    /// </summary>
    public static readonly MemberList DefaultNonBlocking = MemberList.Build(new[]
    {
        "[System.IO.MemoryStream]",
        "[System.IO.UnmanagedMemoryStream]",
        "[System.IO.StringReader]",
        "[System.IO.StringWriter]",
        "[System.Threading.CancellationTokenSource]::Cancel",
        "[System.IO.Pipelines.PipeWriter]::Complete",
        "[System.IO.Pipelines.PipeReader]::Complete",
        "[System.Data.Common.DbDataReader]::IsDBNull",
        "[Microsoft.EntityFrameworkCore.DbContext]::Add",
        "[Microsoft.EntityFrameworkCore.DbContext]::AddRange",
        "[Microsoft.EntityFrameworkCore.DbSet`1]::Add",
        "[Microsoft.EntityFrameworkCore.DbSet`1]::AddRange",
        "[Microsoft.EntityFrameworkCore.IDbContextFactory`1]::CreateDbContext",
    });

    private readonly KnownSymbols _known;
    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<IMethodSymbol, Blocking> _cache = new(SymbolEqualityComparer.Default);

    public BlockingMembers(KnownSymbols known, Compilation compilation)
    {
        _known = known;
        _compilation = compilation;
    }

    public Blocking Classify(IMethodSymbol method) => _cache.GetOrAdd(method, ClassifyCore);

    private Blocking ClassifyCore(IMethodSymbol method)
    {
        INamedTypeSymbol type = method.ContainingType.OriginalDefinition;
        string name = method.Name;
        if (KnownSymbols.Is(type, _known.Task))
        {
            return name switch
            {
                "Wait" => new Blocking(BlockingKind.TaskWait, null, -1),
                "WaitAll" => new Blocking(BlockingKind.WaitAll, null, -1),
                "WaitAny" => new Blocking(BlockingKind.WaitAny, null, -1),
                _ => Blocking.No,
            };
        }

        if (name == "GetResult" && _known.TaskAwaiters.Contains(type))
        {
            return new Blocking(BlockingKind.GetResult, null, -1);
        }

        if (KnownSymbols.Is(type, _known.Thread))
        {
            return name switch
            {
                "Sleep" => new Blocking(BlockingKind.Sleep, null, -1),
                "Join" => new Blocking(BlockingKind.SyncWait, null, -1),
                _ => Blocking.No,
            };
        }

        if (name is "Wait" or "WaitOne" or "WaitAll" or "WaitAny" or "SignalAndWait" or "SpinUntil" && IsSynchronousWaitType(type))
        {
            return new Blocking(BlockingKind.SyncWait, null, -1);
        }

        if (method.MethodKind != MethodKind.Ordinary || name.EndsWith("Async", System.StringComparison.Ordinal)
            || name is "Dispose" || _known.IsTaskOrConfiguredAwaitable(method.ReturnType) || _known.IsAioRunMember(method)
            || DefaultNonBlocking.Contains(method))
        {
            return Blocking.No;
        }

        return FindTwin(method);
    }

    private bool IsSynchronousWaitType(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (_known.SynchronousWaitTypes.Contains(current.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private Blocking FindTwin(IMethodSymbol method)
    {
        IMethodSymbol original = method.ReducedFrom ?? method.ConstructedFrom;
        string twinName = original.Name + "Async";
        IMethodSymbol? best = null;
        int bestTokenOrdinal = -1;
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.BaseType)
        {
            foreach (ISymbol member in type.GetMembers(twinName))
            {
                if (member is not IMethodSymbol candidate || candidate.IsStatic != original.IsStatic || !IsUsable(candidate)
                    || !TryMatch(original, candidate, out int tokenOrdinal))
                {
                    continue;
                }

                if (OnlyWrapsTheSyncMember(candidate, original.Name))
                {
                    // The twin that runs (an override of the base's, say) says the member does not wait.
                    return Blocking.No;
                }

                // Prefer the twin that takes the token the original lacks.
                if (best is null || (bestTokenOrdinal < 0 && tokenOrdinal >= 0))
                {
                    best = candidate;
                    bestTokenOrdinal = tokenOrdinal;
                }
            }

            if (best is not null)
            {
                return new Blocking(BlockingKind.Twin, best, bestTokenOrdinal);
            }
        }

        return Blocking.No;
    }

    /// <summary>
    /// Whether the twin, declared in this compilation, only hands back the synchronous member's result as a completed
    /// task (<c>XAsync(...) =&gt; Task.FromResult(X(...))</c>, <c>new ValueTask&lt;T&gt;(X(...))</c>): its own author says that
    /// <c>X</c> does not wait.
    /// </summary>
    private static bool OnlyWrapsTheSyncMember(IMethodSymbol twin, string syncName)
    {
        foreach (SyntaxReference reference in twin.OriginalDefinition.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not MethodDeclarationSyntax declaration)
            {
                continue;
            }

            ExpressionSyntax? result = declaration.ExpressionBody?.Expression ?? ReturnedAfterChecks(declaration.Body);
            if (result is null)
            {
                continue;
            }

            // Task.FromResult(X(...)), ValueTask.FromResult(X(...)), new ValueTask<T>(X(...)), new(X(...)).
            var arguments = result switch
            {
                InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" } } fromResult => fromResult.ArgumentList.Arguments,
                BaseObjectCreationExpressionSyntax { ArgumentList: { } list } => list.Arguments,
                _ => default,
            };
            if (arguments.Count == 1
                && arguments[0].Expression is InvocationExpressionSyntax inner
                && (inner.Expression is IdentifierNameSyntax { Identifier.ValueText: var name } ? name
                    : inner.Expression is MemberAccessExpressionSyntax access ? access.Name.Identifier.ValueText : null) == syncName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a body returns when all it does before is <c>token.ThrowIfCancellationRequested()</c>.</summary>
    private static ExpressionSyntax? ReturnedAfterChecks(BlockSyntax? body)
    {
        if (body is null || body.Statements.Count == 0 || body.Statements[body.Statements.Count - 1] is not ReturnStatementSyntax { Expression: { } returned })
        {
            return null;
        }

        for (int i = 0; i < body.Statements.Count - 1; i++)
        {
            if (body.Statements[i] is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ThrowIfCancellationRequested" } } })
            {
                return null;
            }
        }

        return returned;
    }

    /// <summary>A twin that is not obsolete and that some caller can reach (whether this caller can is checked at the call).</summary>
    private bool IsUsable(IMethodSymbol candidate) =>
        candidate.DeclaredAccessibility != Accessibility.Private || SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, _compilation.Assembly)
            ? !IsObsolete(candidate)
            : false;

    private static bool IsObsolete(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "ObsoleteAttribute" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Same leading parameters, then only a CancellationToken or optional ones; an awaitable of the same result.</summary>
    private bool TryMatch(IMethodSymbol original, IMethodSymbol twin, out int tokenOrdinal)
    {
        tokenOrdinal = -1;
        if (twin.Parameters.Length < original.Parameters.Length || twin.Arity != original.Arity || !_known.IsTaskLike(twin.ReturnType))
        {
            return false;
        }

        for (int i = 0; i < original.Parameters.Length; i++)
        {
            IParameterSymbol a = original.Parameters[i];
            IParameterSymbol b = twin.Parameters[i];
            if (a.RefKind != b.RefKind || !TypeShapes.Same(a.Type, b.Type))
            {
                return false;
            }
        }

        for (int i = original.Parameters.Length; i < twin.Parameters.Length; i++)
        {
            IParameterSymbol extra = twin.Parameters[i];
            if (_known.IsCancellationToken(extra.Type))
            {
                if (tokenOrdinal < 0)
                {
                    tokenOrdinal = i;
                }
            }
            else if (!extra.IsOptional && !extra.IsParams)
            {
                return false;
            }
        }

        ITypeSymbol? awaited = KnownSymbols.AwaitResult(twin.ReturnType);
        return awaited is null ? original.ReturnsVoid : TypeShapes.Same(awaited, original.ReturnType);
    }
}

/// <summary>Type equality across two methods' signatures, where each method's own type parameters match by position.</summary>
internal static class TypeShapes
{
    public static bool Same(ITypeSymbol a, ITypeSymbol b)
    {
        if (a is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } pa
            && b is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } pb)
        {
            return pa.Ordinal == pb.Ordinal;
        }

        if (a is IArrayTypeSymbol arrayA && b is IArrayTypeSymbol arrayB)
        {
            return arrayA.Rank == arrayB.Rank && Same(arrayA.ElementType, arrayB.ElementType);
        }

        if (a is INamedTypeSymbol { IsGenericType: true } namedA && b is INamedTypeSymbol { IsGenericType: true } namedB)
        {
            if (!SymbolEqualityComparer.Default.Equals(namedA.OriginalDefinition, namedB.OriginalDefinition))
            {
                return false;
            }

            for (int i = 0; i < namedA.TypeArguments.Length; i++)
            {
                if (!Same(namedA.TypeArguments[i], namedB.TypeArguments[i]))
                {
                    return false;
                }
            }

            return true;
        }

        return SymbolEqualityComparer.Default.Equals(a, b);
    }
}
