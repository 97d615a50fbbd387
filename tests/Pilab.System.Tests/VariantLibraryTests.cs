using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>
/// The regression library as data (variants/README.md): every file in variants/safe and
/// variants/loses is checked in the configuration its check line names, as <c>pilab check</c> with no
/// option checks it, and must get the verdict its folder states.
/// </summary>
public sealed class VariantLibraryTests
{
    public static string VariantsRoot() => VariantLibrary.Root();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantsRoot(), folder), "*.variant").Order())
                data.Add($"{folder}/{Path.GetFileName(file)}");
        return data;
    }

    /// <summary>With no option, as <c>pilab check variants/X</c> checks it: its own check line.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void Variant_GetsTheVerdictOfItsFolder_InItsOwnConfiguration(string relative)
    {
        string path = Path.Combine(VariantsRoot(), relative);
        var parsed = VariantFile.Load(path);
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var v = parsed.Variant!;
        Assert.Contains("\ncheck: ", File.ReadAllText(path));
        var expected = relative.StartsWith("safe/") ? Verdict.Safe : Verdict.Violation;
        Assert.Equal(expected, Models.Check(v, v.Check).Verdict);
        // x86-TSO allows every SC run: a loss under SC is a loss under TSO, and safety under TSO is safety under SC.
        var other = v.Check.Memory == MemoryModel.SC ? MemoryModel.TSO : MemoryModel.SC;
        if ((expected == Verdict.Violation) == (v.Check.Memory == MemoryModel.SC))
            Assert.Equal(expected, Models.Check(v, v.Check with { Memory = other }).Verdict);
    }

    [Fact]
    public void Library_HoldsEveryBuiltin()
    {
        var names = new HashSet<string>();
        foreach (var file in Directory.GetFiles(VariantsRoot(), "*.variant", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.Contains("# Source:", text);
            names.Add(VariantFile.Parse(text, file).Variant!.Name);
        }
        foreach (var v in Builtins.All) Assert.Contains(v.Name, names);
    }

    [Fact]
    public void LibraryFiles_DescribeTheSameProtocolAsTheBuiltinOfTheirName()
    {
        foreach (var file in Directory.GetFiles(VariantsRoot(), "*.variant", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            var v = VariantFile.Parse(text, file).Variant!;
            if (Builtins.Find(v.Name) is { } b)
            {
                Assert.True(b.SameProtocol(v), file);
                if (Path.GetFileNameWithoutExtension(file) == b.Name)
                {
                    Assert.Equal(b.Check, v.Check);
                    Assert.Equal(b.Finding, v.Finding);
                }
            }
        }
    }
}
