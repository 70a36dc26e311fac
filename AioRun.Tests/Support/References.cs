using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace AioRun.Tests.Support;

/// <summary>
/// The metadata references every in-memory compilation and every testing-framework test uses, built once per run and
/// offline: reference assemblies from Basic.Reference.Assemblies, AioRun from the built AioRun.dll.
/// </summary>
internal static class References
{
    /// <summary>The net10.0 reference assemblies alone: a project that does not reference AioRun.</summary>
    public static readonly ImmutableArray<MetadataReference> Net10Framework =
        ImmutableArray.CreateRange<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);

    /// <summary>What a net10.0 app that references the AioRun package compiles against.</summary>
    public static readonly ImmutableArray<MetadataReference> Net10 = WithAioRun(Net10Framework);

    /// <summary>What a net8.0 app (the package's lowest target) that references the AioRun package compiles against.</summary>
    public static readonly ImmutableArray<MetadataReference> Net8 =
        WithAioRun(ImmutableArray.CreateRange<MetadataReference>(Basic.Reference.Assemblies.Net80.References.All));

    /// <summary>A net10.0 app with the Generic Host (its abstractions) and the AioRun package, without AioRun.Hosting.</summary>
    public static readonly ImmutableArray<MetadataReference> Net10GenericHost = Net10.Add(
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Hosting.IHostedService).Assembly.Location));

    /// <summary>A net10.0 app with the AioRun and AioRun.Hosting packages (and so the Generic Host).</summary>
    public static readonly ImmutableArray<MetadataReference> Net10Hosted = Net10GenericHost.Add(
        MetadataReference.CreateFromFile(typeof(AioRun.Hosting.AioHostingExtensions).Assembly.Location));

    /// <summary>
    /// For the testing framework: a target framework with no reference-assembly package, so that it downloads
    /// nothing and compiles against the <c>AdditionalReferences</c> given by <see cref="UseOffline"/> only.
    /// </summary>
    public static readonly ReferenceAssemblies NoPackage = new("net10.0");

    /// <summary>Makes a testing-framework test compile against <paramref name="references"/> only, offline.</summary>
    public static void UseOffline(this AnalyzerTest<DefaultVerifier> test, ImmutableArray<MetadataReference> references)
    {
        test.ReferenceAssemblies = NoPackage;
        test.TestState.AdditionalReferences.AddRange(references);
    }

    private static ImmutableArray<MetadataReference> WithAioRun(ImmutableArray<MetadataReference> framework) => framework.AddRange(new[]
    {
        MetadataReference.CreateFromFile(typeof(AioLoop).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    });
}
