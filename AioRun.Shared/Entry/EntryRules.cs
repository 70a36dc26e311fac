using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using AioRun.Options;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AioRun.Entry;

// Compiled into both AioRun.Generator and AioRun.Analyzers (linked source): the generator runs an entry exactly when
// these rules find no problem it cannot leave out, and the AIO1xx analyzer reports exactly the problems they find.

/// <summary>The rules an <c>[AioRunEntry]</c> method, its options and its project must follow.</summary>
internal static partial class EntryRules
{
    /// <summary>Checks one entry: every problem, and the parts the generated program uses.</summary>
    /// <param name="method">The method that carries <paramref name="attribute"/>.</param>
    /// <param name="attribute">Its <c>[AioRunEntry]</c> (see <see cref="EntryAttribute.Find"/>).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static EntryCheck Check(IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
    {
        var check = new EntryCheck(method, attribute, DisplayName(method));
        var problems = ImmutableArray.CreateBuilder<EntryProblem>();
        CheckCallable(check, problems);
        CheckTypes(check, problems, cancellationToken);
        CheckReturnAndParameters(check, problems);
        cancellationToken.ThrowIfCancellationRequested();
        CheckArguments(check, problems);
        check.Problems = problems.ToImmutable();
        return check;
    }

    /// <summary>The entry as messages name it: <c>Type.Method</c>.</summary>
    public static string DisplayName(IMethodSymbol method) =>
        method.ContainingType is null ? method.Name : method.ContainingType.Name + "." + method.Name;

    /// <summary>
    /// Orders several entries (a program runs one; AIO106 names them all): the generator runs the first, and the
    /// analyzer lists them, in this order, so that both stay stable.
    /// </summary>
    public static string SortKey(IMethodSymbol method) => method.ToDisplayString();

    /// <summary>Why <c>[AioRunEntry]</c> on a local function or a lambda cannot work (AIO105; no symbol action sees them).</summary>
    public static string NestedEntryReason(bool isLocalFunction) => isLocalFunction
        ? "it is a local function, which the generated program cannot call; make it a static method of a partial type"
        : "it is a lambda, which the generated program cannot call; make it a static method of a partial type";

    private static void CheckCallable(EntryCheck check, ImmutableArray<EntryProblem>.Builder problems)
    {
        IMethodSymbol method = check.Method;
        if (!method.IsStatic)
        {
            problems.Add(new EntryProblem(EntryProblemKind.NotStatic, EntrySite.Method, check.Name));
        }

        string? reason =
            method.MethodKind != MethodKind.Ordinary ? $"it is {MethodKindText(method.MethodKind)}, which the generated program cannot call; make it an ordinary static method"
            : method.IsGenericMethod ? "it is generic, and the generated program has no type arguments to give"
            : method.IsStatic && (method.IsAbstract || method.IsVirtual) ? "it is abstract or virtual; the generated program calls a method with a body"
            : method.IsVararg ? "it takes __arglist, which the generated program cannot pass"
            : null;
        if (reason is not null)
        {
            problems.Add(new EntryProblem(EntryProblemKind.NotCallable, EntrySite.Method, check.Name, reason));
        }
    }

    /// <summary>The types around the entry: each must be partial, not generic, not file-local, and leave the accessors' names free.</summary>
    private static void CheckTypes(EntryCheck check, ImmutableArray<EntryProblem>.Builder problems, CancellationToken cancellationToken)
    {
        var notPartial = new List<(string Name, Location Location)>();
        string? unreachable = null;
        for (INamedTypeSymbol? type = check.Method.ContainingType; type is not null; type = type.ContainingType)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    notPartial.Add((declaration.Identifier.ValueText, declaration.Identifier.GetLocation()));
                }
            }

            unreachable ??=
                type.IsGenericType ? $"its type '{type.ToDisplayString()}' is generic, and the generated program has no type arguments to give"
                : type.IsFileLocal ? $"its type '{type.Name}' is file-local, and the generated program is another file"
                : ReservedMemberName(type) is { } reserved ? $"its type '{type.Name}' declares '{reserved}', and names that start with {GeneratedNames.AccessorPrefix} are reserved for the generated accessors"
                : null;
        }

        if (unreachable is not null)
        {
            problems.Add(new EntryProblem(EntryProblemKind.NotCallable, EntrySite.Method, check.Name, unreachable));
        }

        if (notPartial.Count > 0)
        {
            var names = new List<string>();
            var locations = ImmutableArray.CreateBuilder<Location>();
            foreach ((string name, Location location) in notPartial)
            {
                names.Add($"'{name}'");
                locations.Add(location);
            }

            // Reported on the entry (a symbol action's diagnostic must lie in the symbol, so the IDE offers the fix as
            // you type); the types to make partial are the additional locations.
            string types = (notPartial.Count == 1 ? "The type " : "The types ") + string.Join(", ", names);
            problems.Add(new EntryProblem(EntryProblemKind.TypeNotPartial, EntrySite.Method, types, check.Name) { AdditionalLocations = locations.ToImmutable() });
        }
    }

    private static void CheckReturnAndParameters(EntryCheck check, ImmutableArray<EntryProblem>.Builder problems)
    {
        IMethodSymbol method = check.Method;
        EntryReturn returns = ClassifyReturn(method);
        check.Return = returns;
        if (returns == EntryReturn.Unsupported)
        {
            problems.Add(new EntryProblem(EntryProblemKind.ReturnType, EntrySite.ReturnType, check.Name, $"'{method.ReturnType.ToDisplayString()}'"));
        }
        else if (returns == EntryReturn.AsyncVoid)
        {
            problems.Add(new EntryProblem(EntryProblemKind.ReturnType, EntrySite.ReturnType, check.Name, "async void (nothing could await it or see its errors; return Task)"));
        }

        var parameters = ImmutableArray.CreateBuilder<EntryParameter>(method.Parameters.Length);
        var seen = new Dictionary<EntryParameter, IParameterSymbol>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            EntryParameter kind = ClassifyParameter(parameter);
            parameters.Add(kind);
            if (kind == EntryParameter.Unsupported)
            {
                string reason = parameter.RefKind != RefKind.None
                    ? $"it is passed by '{RefKindText(parameter.RefKind)}'; the generated program passes values"
                    : $"its type '{parameter.Type.ToDisplayString()}' is none of string[], CancellationToken and AioLoop";
                problems.Add(new EntryProblem(EntryProblemKind.ParameterNotSupported, EntrySite.Parameter, parameter.Name, check.Name, reason) { Parameter = parameter });
            }
            else if (kind == EntryParameter.CancellationToken && returns is EntryReturn.Void or EntryReturn.AsyncVoid)
            {
                problems.Add(new EntryProblem(
                    EntryProblemKind.ParameterNotSupported,
                    EntrySite.Parameter,
                    parameter.Name,
                    check.Name,
                    "a void entry runs before the loop and has no main task whose token it could be; return Task, or create tasks with loop.CreateTask")
                { Parameter = parameter });
            }
            else if (seen.TryGetValue(kind, out IParameterSymbol? first))
            {
                problems.Add(new EntryProblem(EntryProblemKind.ParameterRepeated, EntrySite.Parameter, parameter.Name, check.Name, ParameterText(kind), first.Name) { Parameter = parameter });
            }
            else
            {
                seen.Add(kind, parameter);
            }
        }

        check.Parameters = parameters.MoveToImmutable();
    }

    /// <summary>The options, the shutdown callback and handler, and the loop type: each one that is wrong is left out.</summary>
    private static void CheckArguments(EntryCheck check, ImmutableArray<EntryProblem>.Builder problems)
    {
        INamedTypeSymbol? type = check.Method.ContainingType;
        OptionValues options = OptionValues.None;
        foreach (KeyValuePair<string, TypedConstant> argument in check.Attribute.NamedArguments)
        {
            string name = argument.Key;
            object? value = argument.Value.Kind == TypedConstantKind.Primitive ? argument.Value.Value : null;
            if (EntryOptions.Find(name) is { } option)
            {
                if (!option.TryRead(value, out object read))
                {
                    continue;
                }

                if (option.IsValid(read))
                {
                    options = options.With(option, read);
                }
                else
                {
                    problems.Add(new EntryProblem(EntryProblemKind.OptionOutOfRange, EntrySite.Argument, name, option.Format(read), "[AioRunEntry]", option.Range) { Argument = name });
                }

                continue;
            }

            switch (name)
            {
                case EntryAttribute.ShutdownCallback when value is string callback && type is not null:
                    check.ShutdownCallback = Resolve(check, problems, name, callback, type, static m => ClassifyShutdownCallback(m) is not null, "static void, Task or ValueTask Name() or Name(AioLoop loop)");
                    check.ShutdownCallbackReturn = check.ShutdownCallback is { } found ? ClassifyShutdownCallback(found)!.Value : default;
                    break;
                case EntryAttribute.ShutdownHandler when value is string handler && type is not null:
                    check.ShutdownHandler = Resolve(check, problems, name, handler, type, IsShutdownHandler, "static void Name(AioLoop loop)");
                    break;
                case EntryAttribute.LoopType when argument.Value.Kind == TypedConstantKind.Type && argument.Value.Value is ITypeSymbol loopType:
                    if (LoopTypeProblem(loopType) is { } problem)
                    {
                        problems.Add(new EntryProblem(EntryProblemKind.LoopType, EntrySite.Argument, loopType.ToDisplayString(), problem) { Argument = name });
                    }
                    else
                    {
                        check.LoopType = (INamedTypeSymbol)loopType;
                    }

                    break;
            }
        }

        check.Options = options;
    }

    /// <summary>
    /// The one static method named <paramref name="name"/> declared in <paramref name="type"/> that <paramref name="fits"/>;
    /// a method of another shape, or two that fit, cannot be used (a problem).
    /// </summary>
    private static IMethodSymbol? Resolve(EntryCheck check, ImmutableArray<EntryProblem>.Builder problems, string argument, string name, INamedTypeSymbol type, Func<IMethodSymbol, bool> fits, string shape)
    {
        IMethodSymbol? match = null;
        bool named = false;
        bool ambiguous = false;
        foreach (ISymbol member in type.GetMembers(name))
        {
            named = true;
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && fits(method))
            {
                ambiguous |= match is not null;
                match = method;
            }
        }

        string? wrong =
            !named ? null
            : ambiguous ? $"more than one method '{name}' of '{type.Name}' has the shape {shape}; keep one"
            : match is null ? $"no method '{name}' of '{type.Name}' has the shape {shape}"
            : null;
        if (!named)
        {
            problems.Add(new EntryProblem(EntryProblemKind.MemberNotFound, EntrySite.Argument, argument, name, type.ToDisplayString()) { Argument = argument });
        }
        else if (wrong is not null)
        {
            problems.Add(new EntryProblem(EntryProblemKind.MemberWrongShape, EntrySite.Argument, argument, name, wrong) { Argument = argument });
        }

        return wrong is null ? match : null;
    }

    private static string MethodKindText(MethodKind kind) => kind switch
    {
        MethodKind.PropertyGet or MethodKind.PropertySet => "a property accessor",
        MethodKind.EventAdd or MethodKind.EventRemove or MethodKind.EventRaise => "an event accessor",
        MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator",
        MethodKind.ExplicitInterfaceImplementation => "an explicit interface implementation",
        MethodKind.Destructor => "a finalizer",
        MethodKind.LocalFunction => "a local function",
        MethodKind.AnonymousFunction or MethodKind.LambdaMethod => "a lambda",
        _ => "not an ordinary method",
    };

    private static string RefKindText(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref",
        RefKind.Out => "out",
        _ => "in",
    };

    private static string ParameterText(EntryParameter kind) => kind switch
    {
        EntryParameter.Args => "string[] (the command line)",
        EntryParameter.CancellationToken => "CancellationToken (the main task's token)",
        _ => "AioLoop (the loop)",
    };
}
