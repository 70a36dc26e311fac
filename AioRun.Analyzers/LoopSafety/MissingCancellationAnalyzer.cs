using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AioRun.Analyzers.LoopSafety;

/// <summary>
/// AIO004: in code on the loop, an awaited call that accepts a CancellationToken (an optional parameter left
/// out, or an overload that adds one) but gets none. Not reported: AioRun's own members (they observe the
/// current task's token), a token passed explicitly (<c>CancellationToken.None</c> included: cleanup code), and
/// the calls AIO001 and AIO002 already report (Task.Run, StartNew, WaitAsync).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingCancellationAnalyzer : LoopSafetyAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.MissingCancellation);

    /// <inheritdoc/>
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, LoopCode loop)
    {
        var overloads = new Overloads(loop.Known);
        start.RegisterOperationAction(c => AnalyzeAwait(c, loop, overloads), OperationKind.Await);
    }

    private static void AnalyzeAwait(OperationAnalysisContext context, LoopCode loop, Overloads overloads)
    {
        var awaited = (IAwaitOperation)context.Operation;
        KnownSymbols known = loop.Known;
        if (awaited.Operation.WithoutConfigureAwait(known) is not IInvocationOperation call || IsExcluded(call.TargetMethod, known))
        {
            return;
        }

        string? tokenArgument = null;
        IParameterSymbol? leftOut = null;
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && known.IsCancellationToken(parameter.Type))
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    leftOut = parameter;
                    tokenArgument = IsNextPositional(call, parameter) ? FixData.Positional : parameter.Name;
                }
                else
                {
                    return;
                }

                break;
            }
        }

        if (leftOut is null && overloads.WithToken(call.TargetMethod) is { } overload
            && context.Compilation.IsSymbolAccessibleWithin(overload, context.ContainingSymbol.ContainingType ?? (ISymbol)context.Compilation.Assembly))
        {
            leftOut = overload.Parameters[overload.Parameters.Length - 1];
            tokenArgument = IsNextPositional(call, leftOut) ? FixData.Positional : leftOut.Name;
        }

        if (tokenArgument is null || IsIgnored(leftOut!, context.CancellationToken) || !loop.IsOnLoop(call, context.ContainingSymbol))
        {
            return;
        }

        string? token = loop.EnclosingTokenParameter(call, context.ContainingSymbol);
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixData.Fix, call.Syntax is InvocationExpressionSyntax ? FixData.PassToken : FixData.None)
            .Add(FixData.TokenArgument, tokenArgument);
        if (token is not null)
        {
            properties = properties.Add(FixData.Token, token);
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MissingCancellation,
            call.Syntax.GetLocation(),
            properties,
            call.TargetMethod.ContainingType.Name + "." + call.TargetMethod.Name,
            token ?? "Aio.CancellationToken"));
    }

    /// <summary>
    /// Whether the method would ignore the token anyway: it is declared in this compilation with a body that never
    /// names the parameter, and nothing can override it. Passing a token there would change nothing.
    /// </summary>
    private static bool IsIgnored(IParameterSymbol token, System.Threading.CancellationToken cancellationToken)
    {
        if (token.ContainingSymbol is not IMethodSymbol method || method.IsAbstract || method.IsVirtual || method.IsOverride
            || method.ContainingType.TypeKind == TypeKind.Interface || method.DeclaringSyntaxReferences.IsEmpty)
        {
            return false;
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode declaration = reference.GetSyntax(cancellationToken);
            SyntaxNode? body = declaration switch
            {
                BaseMethodDeclarationSyntax member => (SyntaxNode?)member.Body ?? member.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                _ => null,
            };
            if (body is null)
            {
                return false;
            }

            foreach (SyntaxToken identifier in body.DescendantTokens())
            {
                if (identifier.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) && identifier.ValueText == token.Name)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsExcluded(IMethodSymbol method, KnownSymbols known)
    {
        if (known.IsAioRunMember(method))
        {
            return true;
        }

        INamedTypeSymbol type = method.ContainingType.OriginalDefinition;
        return method.Name switch
        {
            "Run" or "WaitAsync" => KnownSymbols.Is(type, known.Task) || KnownSymbols.Is(type, known.TaskOfT),
            "StartNew" => KnownSymbols.Is(type, known.TaskFactory) || KnownSymbols.Is(type, known.TaskFactoryOfT),
            _ => false,
        };
    }

    /// <summary>Whether the left-out token parameter directly follows the arguments written, all positional.</summary>
    private static bool IsNextPositional(IInvocationOperation call, IParameterSymbol token)
    {
        int written = 0;
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            if (argument.Syntax is ArgumentSyntax { NameColon: not null } || argument.ArgumentKind != ArgumentKind.Explicit)
            {
                return false;
            }

            written++;
        }

        return written == token.Ordinal;
    }

    /// <summary>An overload with the same parameters plus a trailing CancellationToken.</summary>
    private static IMethodSymbol? OverloadWithToken(IMethodSymbol method, KnownSymbols known)
    {
        IMethodSymbol original = method.ReducedFrom ?? method.ConstructedFrom;
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.BaseType)
        {
            foreach (ISymbol member in type.GetMembers(original.Name))
            {
                if (member is IMethodSymbol candidate && candidate.IsStatic == original.IsStatic && candidate.Arity == original.Arity
                    && candidate.Parameters.Length == original.Parameters.Length + 1
                    && known.IsCancellationToken(candidate.Parameters[original.Parameters.Length].Type)
                    && SameParameters(original, candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The token overload of each method, found once per compilation.</summary>
    private sealed class Overloads
    {
        private readonly ConcurrentDictionary<IMethodSymbol, IMethodSymbol?> _cache = new(SymbolEqualityComparer.Default);
        private readonly Func<IMethodSymbol, IMethodSymbol?> _find;

        public Overloads(KnownSymbols known) => _find = method => OverloadWithToken(method, known);

        public IMethodSymbol? WithToken(IMethodSymbol method) => _cache.GetOrAdd(method, _find);
    }

    private static bool SameParameters(IMethodSymbol original, IMethodSymbol candidate)
    {
        for (int i = 0; i < original.Parameters.Length; i++)
        {
            if (original.Parameters[i].RefKind != candidate.Parameters[i].RefKind
                || original.Parameters[i].IsParams
                || !TypeShapes.Same(original.Parameters[i].Type, candidate.Parameters[i].Type))
            {
                return false;
            }
        }

        return true;
    }
}
