extern alias runtime;

using System.Reflection;
using System.Text.RegularExpressions;
using AioRun.Tests.Support;
using Xunit;
using EntryOption = runtime::AioRun.Options.EntryOption;
using EntryOptions = runtime::AioRun.Options.EntryOptions;

namespace AioRun.Tests.Options;

/// <summary>
/// The options table (AioRun.Shared/Options/EntryOptions.cs) is the one place an option is defined: what the attribute,
/// the runtime, the MSBuild files and the docs say of each option must be what its row says.
/// </summary>
public class OptionTableTests
{
    public static TheoryData<string> OptionNames => new(EntryOptions.All.Select(o => o.Name));

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void The_attribute_has_the_option_with_the_tables_default(string name)
    {
        EntryOption option = Row(name);
        PropertyInfo? property = typeof(AioRunEntryAttribute).GetProperty(option.Name);

        Assert.NotNull(property);
        Assert.True(property.CanWrite, $"[AioRunEntry].{option.Name} cannot be set.");
        Assert.True(option.IsDefault(property.GetValue(new AioRunEntryAttribute())!), $"[AioRunEntry].{option.Name} does not default to {option.DefaultText}.");
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void The_runtime_options_have_the_property_the_generated_program_sets(string name)
    {
        EntryOption option = Row(name);
        PropertyInfo? property = typeof(AioRunOptions).GetProperty(option.RuntimeProperty);

        Assert.NotNull(property);
        Assert.NotNull(property.SetMethod);
    }

    [Fact]
    public void The_runtime_default_timeout_is_the_tables()
    {
        Assert.Equal(TimeSpan.FromSeconds(EntryOptions.ShutdownTimeoutSeconds.Default), AioRunOptions.DefaultShutdownTimeout);
        Assert.Equal(AioRunOptions.DefaultShutdownTimeout, new AioRunOptions().ShutdownTimeout);
    }

    [Fact]
    public void The_package_props_make_exactly_the_tables_properties_visible_to_the_compiler()
    {
        string props = File.ReadAllText(Path.Combine(Repository.Root, "build", "AioRun.props"));
        string[] visible = Regex.Matches(props, "<CompilerVisibleProperty Include=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(EntryOptions.All.Select(o => o.MSBuildProperty).Order(), visible.Order());
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void The_package_props_and_targets_describe_the_option_and_its_default(string name)
    {
        EntryOption option = Row(name);
        string props = File.ReadAllText(Path.Combine(Repository.Root, "build", "AioRun.props"));
        string targets = File.ReadAllText(Path.Combine(Repository.Root, "build", "AioRun.targets"));

        Assert.Matches($@"\n\s+{option.MSBuildProperty}\s+{Regex.Escape(option.ProjectValues)}\s+default {Regex.Escape(option.DefaultText)}\n", props);
        Assert.Contains($"Text=\"{option.MSBuildProperty} = '$({option.MSBuildProperty})' (empty: {option.DefaultText}", targets, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void The_readme_options_table_has_the_option_with_its_csproj_property_and_default(string name)
    {
        EntryOption option = Row(name);
        string[] row = File.ReadAllLines(Path.Combine(Repository.Root, "README.md"))
            .Where(line => line.StartsWith($"| `{option.Name} = ", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Single();

        Assert.StartsWith($"`<{option.MSBuildProperty}>", row[2], StringComparison.Ordinal);
        Assert.StartsWith($"`{option.DefaultText}`", row[3], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void The_entry_page_names_the_option(string name)
    {
        string page = File.ReadAllText(Path.Combine(Repository.Root, "docs", "entry.md"));

        Assert.Contains($"`{name}`", page, StringComparison.Ordinal);
    }

    private static EntryOption Row(string name) => EntryOptions.All.Single(o => o.Name == name);
}
