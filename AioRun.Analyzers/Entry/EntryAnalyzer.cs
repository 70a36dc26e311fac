using System.Collections.Concurrent;
using System.Collections.Generic;
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
/// as the user types (the generator itself stays silent and leaves such an entry, or option, out).
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
            if (start.Compilation.GetTypeByMetadataName(EntryShape.AttributeMetadataName) is not { } attributeType)
            {
                return;
            }

            var entries = new ConcurrentBag<IMethodSymbol>();
            ProjectOptionTexts projectOptions = ProjectOptionTexts.Read(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    var method = (IMethodSymbol)symbolContext.Symbol;
                    if (FindEntryAttribute(method, attributeType) is { } attribute)
                    {
                        entries.Add(method);
                        new EntryCheck(symbolContext, method, attribute, projectOptions).Run();
                    }
                },
                SymbolKind.Method);

            // Local functions and lambdas take method attributes too, but no symbol action sees them.
            start.RegisterSyntaxNodeAction(
                nodeContext => ReportNestedEntry(nodeContext, attributeType),
                SyntaxKind.LocalFunctionStatement,
                SyntaxKind.ParenthesizedLambdaExpression);
            start.RegisterCompilationEndAction(end => ReportRepeatedEntries(end, entries, attributeType));
        });
    }

    private static AttributeData? FindEntryAttribute(IMethodSymbol method, INamedTypeSymbol attributeType)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>AIO105 for <c>[AioRunEntry]</c> on a local function or a lambda: the generated program cannot reach either.</summary>
    private static void ReportNestedEntry(SyntaxNodeAnalysisContext context, INamedTypeSymbol attributeType)
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
                    && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, attributeType))
                {
                    string where = EnclosingMemberName(context.ContainingSymbol);
                    (string name, string reason) = context.Node is LocalFunctionStatementSyntax function
                        ? ($"{function.Identifier.ValueText} in {where}", "it is a local function, which the generated program cannot call; make it a static method of a partial type")
                        : ($"the lambda in {where}", "it is a lambda, which the generated program cannot call; make it a static method of a partial type");
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.EntryNotCallable, attribute.GetLocation(), name, reason));
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

    private static void ReportRepeatedEntries(CompilationAnalysisContext context, ConcurrentBag<IMethodSymbol> entries, INamedTypeSymbol attributeType)
    {
        if (entries.Count < 2)
        {
            return;
        }

        IMethodSymbol[] ordered = entries.OrderBy(m => m.ToDisplayString(), System.StringComparer.Ordinal).ToArray();
        string names = string.Join(", ", ordered.Select(m => m.ToDisplayString()));
        foreach (IMethodSymbol method in ordered)
        {
            Location location = FindEntryAttribute(method, attributeType)?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? method.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.EntryRepeated, location, ordered.Length, names));
        }
    }

    /// <summary>The checks of one entry method.</summary>
    private readonly struct EntryCheck
    {
        private readonly SymbolAnalysisContext _context;
        private readonly IMethodSymbol _method;
        private readonly AttributeData _attribute;
        private readonly ProjectOptionTexts _projectOptions;
        private readonly MethodDeclarationSyntax? _declaration;
        private readonly AttributeSyntax? _attributeSyntax;
        private readonly string _name;

        public EntryCheck(SymbolAnalysisContext context, IMethodSymbol method, AttributeData attribute, ProjectOptionTexts projectOptions)
        {
            _context = context;
            _method = method;
            _attribute = attribute;
            _projectOptions = projectOptions;
            CancellationToken token = context.CancellationToken;
            _declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(token)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            _attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;
            _name = method.ContainingType is null ? method.Name : method.ContainingType.Name + "." + method.Name;
        }

        private Location MethodLocation => _method.Locations.FirstOrDefault() ?? Location.None;

        private Location AttributeLocation => _attributeSyntax?.GetLocation() ?? MethodLocation;

        public void Run()
        {
            CheckProject();
            CheckCallable();
            CheckPartial();
            CheckReturnAndParameters();
            CheckOptions();
        }

        private void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments) =>
            _context.ReportDiagnostic(Diagnostic.Create(descriptor, location, arguments));

        private void CheckProject()
        {
            Compilation compilation = _context.Compilation;
            if (!EntryShape.IsExecutable(compilation.Options.OutputKind))
            {
                string kind = compilation.Options.OutputKind switch
                {
                    OutputKind.DynamicallyLinkedLibrary => "library",
                    OutputKind.NetModule => "module",
                    _ => "WinMD file",
                };
                Report(Descriptors.EntryNotExecutable, AttributeLocation, _name, kind);
            }

            if (compilation.Options.MainTypeName is { } startupObject)
            {
                Report(Descriptors.EntryWithStartupObject, AttributeLocation, _name, startupObject);
            }

            // Any file with top-level statements but AioRun's own generated program: a user file, or one from another
            // generator (which AioRun's generator cannot see, as generators run side by side; the compiler then also
            // reports CS8802, and this says why).
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.GetRoot(_context.CancellationToken) is CompilationUnitSyntax root
                    && root.Members.Any(static m => m.IsKind(SyntaxKind.GlobalStatement))
                    && !IsGeneratedProgram(tree, root))
                {
                    Report(Descriptors.EntryWithTopLevelStatements, AttributeLocation, _name, System.IO.Path.GetFileName(tree.FilePath));
                    break;
                }
            }
        }

        private void CheckCallable()
        {
            if (!_method.IsStatic)
            {
                Report(Descriptors.EntryNotStatic, MethodLocation, _name);
            }

            if (_method.IsGenericMethod)
            {
                Report(Descriptors.EntryNotCallable, MethodLocation, _name, "it is generic, and the generated program has no type arguments to give");
            }
            else if (_method.IsStatic && (_method.IsAbstract || _method.IsVirtual))
            {
                Report(Descriptors.EntryNotCallable, MethodLocation, _name, "it is abstract or virtual; the generated program calls a method with a body");
            }
            else if (_method.IsVararg)
            {
                Report(Descriptors.EntryNotCallable, MethodLocation, _name, "it takes __arglist, which the generated program cannot pass");
            }

            for (INamedTypeSymbol? type = _method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (type.IsGenericType)
                {
                    Report(Descriptors.EntryNotCallable, MethodLocation, _name, $"its type '{type.ToDisplayString()}' is generic, and the generated program has no type arguments to give");
                    break;
                }

                if (type.IsFileLocal)
                {
                    Report(Descriptors.EntryNotCallable, MethodLocation, _name, $"its type '{type.Name}' is file-local, and the generated program is another file");
                    break;
                }

                if (EntryShape.ReservedMemberName(type) is { } reserved)
                {
                    Report(Descriptors.EntryNotCallable, MethodLocation, _name, $"its type '{type.Name}' declares '{reserved}', and names that start with {EntryShape.AccessorPrefix} are reserved for the generated accessors");
                    break;
                }
            }
        }

        private void CheckPartial()
        {
            if (_declaration is null)
            {
                return;
            }

            var missing = new List<TypeDeclarationSyntax>();
            foreach (TypeDeclarationSyntax type in _declaration.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    missing.Add(type);
                }
            }

            if (missing.Count == 0)
            {
                return;
            }

            string names = (missing.Count == 1 ? "The type " : "The types ") + string.Join(", ", missing.Select(t => $"'{t.Identifier.ValueText}'"));

            // Reported on the entry (a symbol action's diagnostic must lie in the symbol, so the IDE offers the fix as you
            // type); the types to make partial are the additional locations.
            _context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.EntryTypeNotPartial,
                MethodLocation,
                additionalLocations: missing.Select(t => t.Identifier.GetLocation()),
                messageArgs: new object[] { names, _name }));
        }

        private void CheckReturnAndParameters()
        {
            EntryReturn returns = EntryShape.ClassifyReturn(_method);
            Location returnLocation = _declaration?.ReturnType.GetLocation() ?? MethodLocation;
            if (returns == EntryReturn.Unsupported)
            {
                Report(Descriptors.EntryReturnType, returnLocation, _name, $"'{_method.ReturnType.ToDisplayString()}'");
            }
            else if (returns == EntryReturn.AsyncVoid)
            {
                Report(Descriptors.EntryReturnType, returnLocation, _name, "async void (nothing could await it or see its errors; return Task)");
            }

            var seen = new Dictionary<EntryParameter, IParameterSymbol>();
            foreach (IParameterSymbol parameter in _method.Parameters)
            {
                Location location = parameter.Locations.FirstOrDefault() ?? MethodLocation;
                EntryParameter kind = EntryShape.ClassifyParameter(parameter);
                if (kind == EntryParameter.Unsupported)
                {
                    string reason = parameter.RefKind != RefKind.None
                        ? $"it is passed by '{RefKindText(parameter.RefKind)}'; the generated program passes values"
                        : $"its type '{parameter.Type.ToDisplayString()}' is none of string[], CancellationToken and AioLoop";
                    Report(Descriptors.EntryParameterNotSupported, location, parameter.Name, _name, reason);
                }
                else if (kind == EntryParameter.CancellationToken && returns is EntryReturn.Void or EntryReturn.AsyncVoid)
                {
                    Report(Descriptors.EntryParameterNotSupported, location, parameter.Name, _name, "a void entry runs before the loop and has no main task whose token it could be; return Task, or create tasks with loop.CreateTask");
                }
                else if (seen.TryGetValue(kind, out IParameterSymbol? first))
                {
                    Report(Descriptors.EntryParameterRepeated, location, parameter.Name, _name, KindText(kind), first.Name);
                }
                else
                {
                    seen.Add(kind, parameter);
                }
            }
        }

        private void CheckOptions()
        {
            INamedTypeSymbol? type = _method.ContainingType;
            foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
            {
                Location location = ArgumentLocation(argument.Key);
                object? value = argument.Value.Kind == TypedConstantKind.Primitive ? argument.Value.Value : null;
                switch (argument.Key)
                {
                    case EntryShape.ShutdownTimeoutSeconds when value is double seconds && !OptionRules.IsValidTimeout(seconds):
                        Report(Descriptors.EntryOptionOutOfRange, location, argument.Key, OptionRules.Format(seconds), "[AioRunEntry]", OptionRules.TimeoutRange);
                        break;
                    case EntryShape.ExecutorWorkers when value is int workers && !OptionRules.IsValidWorkers(workers):
                        Report(Descriptors.EntryOptionOutOfRange, location, argument.Key, workers, "[AioRunEntry]", OptionRules.WorkersRange);
                        break;
                    case EntryShape.ShutdownCallback when value is string name && type is not null:
                        CheckMember(argument.Key, name, type, location, static m => EntryShape.ClassifyShutdownCallback(m) is not null, "static void, Task or ValueTask Name() or Name(AioLoop loop)");
                        break;
                    case EntryShape.ShutdownHandler when value is string name && type is not null:
                        CheckMember(argument.Key, name, type, location, EntryShape.IsShutdownHandler, "static void Name(AioLoop loop)");
                        break;
                    case EntryShape.LoopType when argument.Value.Kind == TypedConstantKind.Type && argument.Value.Value is ITypeSymbol loopType:
                        if (EntryShape.LoopTypeProblem(loopType) is { } problem)
                        {
                            Report(Descriptors.EntryLoopType, location, loopType.ToDisplayString(), problem);
                        }

                        break;
                }
            }

            const string Project = "the project (MSBuild property)";
            if (_projectOptions.StopOnUnhandled is { } stop && !OptionRules.TryParseBool(stop, out _))
            {
                Report(Descriptors.EntryOptionOutOfRange, AttributeLocation, ProjectOptionTexts.StopOnUnhandledProperty, $"'{stop}'", Project, OptionRules.BoolRange);
            }

            if (_projectOptions.ShutdownTimeout is { } timeout && !OptionRules.TryParseTimeout(timeout, out _))
            {
                Report(Descriptors.EntryOptionOutOfRange, AttributeLocation, ProjectOptionTexts.ShutdownTimeoutProperty, $"'{timeout}'", Project, OptionRules.TimeoutRange);
            }

            if (_projectOptions.ExecutorWorkers is { } workersText && !OptionRules.TryParseWorkers(workersText, out _))
            {
                Report(Descriptors.EntryOptionOutOfRange, AttributeLocation, ProjectOptionTexts.ExecutorWorkersProperty, $"'{workersText}'", Project, OptionRules.WorkersRange);
            }
        }

        private void CheckMember(string option, string name, INamedTypeSymbol type, Location location, System.Func<IMethodSymbol, bool> fits, string shape)
        {
            switch (EntryShape.Resolve(type, name, fits, out _))
            {
                case MemberResolution.NotFound:
                    Report(Descriptors.EntryMemberNotFound, location, option, name, type.ToDisplayString());
                    break;
                case MemberResolution.WrongShape:
                    Report(Descriptors.EntryMemberWrongShape, location, option, name, $"no method '{name}' of '{type.Name}' has the shape {shape}");
                    break;
                case MemberResolution.Ambiguous:
                    Report(Descriptors.EntryMemberWrongShape, location, option, name, $"more than one method '{name}' of '{type.Name}' has the shape {shape}; keep one");
                    break;
            }
        }

        private Location ArgumentLocation(string name)
        {
            if (_attributeSyntax?.ArgumentList is { } arguments)
            {
                foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    {
                        return argument.GetLocation();
                    }
                }
            }

            return AttributeLocation;
        }

        private static bool IsGeneratedProgram(SyntaxTree tree, CompilationUnitSyntax root) =>
            tree.FilePath.EndsWith(EntryShape.ProgramHintName, System.StringComparison.Ordinal) && IsGenerated(root);

        private static bool IsGenerated(CompilationUnitSyntax root)
        {
            foreach (SyntaxTrivia trivia in root.GetLeadingTrivia())
            {
                if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.ToString().Contains("<auto-generated"))
                {
                    return true;
                }
            }

            return false;
        }

        private static string RefKindText(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref",
            RefKind.Out => "out",
            _ => "in",
        };

        private static string KindText(EntryParameter kind) => kind switch
        {
            EntryParameter.Args => "string[] (the command line)",
            EntryParameter.CancellationToken => "CancellationToken (the main task's token)",
            _ => "AioLoop (the loop)",
        };
    }
}
