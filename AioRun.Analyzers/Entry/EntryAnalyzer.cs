using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AioRun.Entry;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AioRun.Analyzers.Entry;

/// <summary>
/// AIO100–AIO113: everything that keeps an <c>[AioRunEntry]</c> method from being run by the generated program, reported
/// as the user types. What is wrong is decided by <see cref="EntryRules"/>, which the generator follows too (it stays
/// silent and leaves such an entry, or option, out); this analyzer only maps each problem to its rule and its place.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EntryAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.EntryTypeNotPartial,
        Descriptors.EntryNotStatic,
        Descriptors.EntryReturnType,
        Descriptors.EntryParameterNotSupported,
        Descriptors.EntryParameterRepeated,
        Descriptors.EntryNotCallable,
        Descriptors.EntryRepeated,
        Descriptors.EntryNotExecutable,
        Descriptors.EntryWithTopLevelStatements,
        Descriptors.EntryMemberNotFound,
        Descriptors.EntryMemberWrongShape,
        Descriptors.EntryLoopType,
        Descriptors.EntryOptionOutOfRange,
        Descriptors.EntryWithStartupObject);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // Only compilations that reference AioRun can have an entry.
            if (start.Compilation.GetTypeByMetadataName(EntryAttribute.MetadataName) is null)
            {
                return;
            }

            var entries = new ConcurrentBag<(IMethodSymbol Method, AttributeData Attribute)>();
            ImmutableArray<EntryProblem> optionProblems = EntryRules.ReadProjectOptions(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions).Problems;

            // Looked at only when there is an entry: finding top-level statements reads every file.
            var facts = new Lazy<ProjectFacts>(() => EntryRules.FactsOf(start.Compilation, start.CancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    var method = (IMethodSymbol)symbolContext.Symbol;
                    if (EntryAttribute.Find(method) is not { } attribute)
                    {
                        return;
                    }

                    entries.Add((method, attribute));
                    EntryCheck check = EntryRules.Check(method, attribute, symbolContext.CancellationToken);
                    var places = new Places(method, attribute, symbolContext.CancellationToken);
                    foreach (EntryProblem problem in check.Problems.Concat(EntryRules.CheckProject(check.Name, facts.Value)).Concat(optionProblems))
                    {
                        symbolContext.ReportDiagnostic(Diagnostic.Create(
                            DescriptorOf(problem.Kind),
                            places.Of(problem),
                            additionalLocations: problem.AdditionalLocations,
                            messageArgs: problem.MessageArguments));
                    }
                },
                SymbolKind.Method);

            // Local functions and lambdas take method attributes too, but no symbol action sees them.
            start.RegisterSyntaxNodeAction(
                ReportNestedEntry,
                SyntaxKind.LocalFunctionStatement,
                SyntaxKind.ParenthesizedLambdaExpression);
            start.RegisterCompilationEndAction(end => ReportRepeatedEntries(end, entries));
        });
    }

    /// <summary>The rule of each kind of problem.</summary>
    private static DiagnosticDescriptor DescriptorOf(EntryProblemKind kind) => kind switch
    {
        EntryProblemKind.TypeNotPartial => Descriptors.EntryTypeNotPartial,
        EntryProblemKind.NotStatic => Descriptors.EntryNotStatic,
        EntryProblemKind.ReturnType => Descriptors.EntryReturnType,
        EntryProblemKind.ParameterNotSupported => Descriptors.EntryParameterNotSupported,
        EntryProblemKind.ParameterRepeated => Descriptors.EntryParameterRepeated,
        EntryProblemKind.NotCallable => Descriptors.EntryNotCallable,
        EntryProblemKind.NotExecutable => Descriptors.EntryNotExecutable,
        EntryProblemKind.TopLevelStatements => Descriptors.EntryWithTopLevelStatements,
        EntryProblemKind.MemberNotFound => Descriptors.EntryMemberNotFound,
        EntryProblemKind.MemberWrongShape => Descriptors.EntryMemberWrongShape,
        EntryProblemKind.LoopType => Descriptors.EntryLoopType,
        EntryProblemKind.OptionOutOfRange => Descriptors.EntryOptionOutOfRange,
        EntryProblemKind.StartupObject => Descriptors.EntryWithStartupObject,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "An entry problem without a rule."),
    };

    /// <summary>AIO105 for <c>[AioRunEntry]</c> on a local function or a lambda: the generated program cannot reach either.</summary>
    private static void ReportNestedEntry(SyntaxNodeAnalysisContext context)
    {
        SyntaxList<AttributeListSyntax> lists = context.Node switch
        {
            LocalFunctionStatementSyntax local => local.AttributeLists,
            ParenthesizedLambdaExpressionSyntax lambda => lambda.AttributeLists,
            _ => default,
        };
        foreach (AttributeListSyntax list in lists)
        {
            foreach (AttributeSyntax attribute in list.Attributes)
            {
                if (context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is IMethodSymbol constructor
                    && EntryAttribute.Is(constructor.ContainingType))
                {
                    string where = EnclosingMemberName(context.ContainingSymbol);
                    bool isLocalFunction = context.Node is LocalFunctionStatementSyntax;
                    string name = context.Node is LocalFunctionStatementSyntax function ? $"{function.Identifier.ValueText} in {where}" : $"the lambda in {where}";
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.EntryNotCallable, attribute.GetLocation(), name, EntryRules.NestedEntryReason(isLocalFunction)));
                    return;
                }
            }
        }
    }

    /// <summary>The member (Type.Member) that a local function or lambda is declared in, through any nesting of them.</summary>
    private static string EnclosingMemberName(ISymbol? symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction })
        {
            symbol = symbol.ContainingSymbol;
        }

        return symbol switch
        {
            null => "top-level code",
            { ContainingType: { } type } => type.Name + "." + symbol.Name,
            _ => symbol.Name,
        };
    }

    private static void ReportRepeatedEntries(CompilationAnalysisContext context, ConcurrentBag<(IMethodSymbol Method, AttributeData Attribute)> entries)
    {
        if (entries.Count < 2)
        {
            return;
        }

        var ordered = entries.OrderBy(e => EntryRules.SortKey(e.Method), StringComparer.Ordinal).ToArray();
        string names = string.Join(", ", ordered.Select(e => EntryRules.SortKey(e.Method)));
        foreach ((IMethodSymbol method, AttributeData attribute) in ordered)
        {
            Location location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.EntryRepeated, location, ordered.Length, names));
        }
    }

    /// <summary>Where an entry's problems are shown: the method's name, its return type, a parameter, the attribute or one of its arguments.</summary>
    private readonly struct Places
    {
        private readonly IMethodSymbol _method;
        private readonly MethodDeclarationSyntax? _declaration;
        private readonly AttributeSyntax? _attribute;

        public Places(IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
        {
            _method = method;
            _declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            _attribute = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        }

        private Location Method => _method.Locations.FirstOrDefault() ?? Location.None;

        private Location Attribute => _attribute?.GetLocation() ?? Method;

        public Location Of(EntryProblem problem) => problem.Site switch
        {
            EntrySite.ReturnType => _declaration?.ReturnType.GetLocation() ?? Method,
            EntrySite.Parameter => problem.Parameter?.Locations.FirstOrDefault() ?? Method,
            EntrySite.Attribute => Attribute,
            EntrySite.Argument => Argument(problem.Argument),
            _ => Method,
        };

        private Location Argument(string? name)
        {
            if (_attribute?.ArgumentList is { } arguments)
            {
                foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    {
                        return argument.GetLocation();
                    }
                }
            }

            return Attribute;
        }
    }
}
