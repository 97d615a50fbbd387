using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>
/// The regression library as data (variants/README.md): every file in variants/safe and
/// variants/loses is checked in each configuration its '# check:' line names, and must get the
/// verdict its folder states.
/// </summary>
public sealed class VariantLibraryTests
{
    public static string VariantsRoot() => VariantLibrary.Root();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantsRoot(), folder), "*.variant").Order())
                foreach (var mm in CheckLine.Read(File.ReadAllText(file)).Memory)
                    data.Add($"{folder}/{Path.GetFileName(file)}", mm);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Variant_GetsTheVerdictOfItsFolder(string relative, string mm)
    {
        string path = Path.Combine(VariantsRoot(), relative);
        string text = File.ReadAllText(path);
        var check = CheckLine.Read(text);
        var memory = mm == "tso" ? MemoryModel.TSO : MemoryModel.SC;
        var expected = relative.StartsWith("safe/") ? Verdict.Safe : Verdict.Violation;
        Verdict actual;
        if (SystemVariantFile.Applies(text))
        {
            var parsed = SystemVariantFile.Parse(text, path);
            Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
            var config = new SystemConfiguration(check.K, check.J, check.N, check.E, check.H, check.P, check.M, Memory: memory);
            Assert.Null(config.Problem());
            actual = SystemChecker.Check(parsed.Variant!, config).Verdict;
        }
        else
        {
            Assert.Equal(0, check.J + check.H + check.P + check.M);
            var parsed = VariantFile.Parse(text, path);
            Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
            actual = ModelChecker.Check(parsed.Variant!, new Configuration(check.K, check.N, check.E, Memory: memory)).Verdict;
        }
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Library_HoldsEveryBuiltin()
    {
        var names = new HashSet<string>();
        foreach (var file in Directory.GetFiles(VariantsRoot(), "*.variant", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.Contains("# Source:", text);
            names.Add(SystemVariantFile.Applies(text) ? SystemVariantFile.Parse(text, file).Variant!.Name : VariantFile.Parse(text, file).Variant!.Name);
        }
        foreach (var v in Builtins.All) Assert.Contains(v.Name, names);
        foreach (var v in SystemBuiltins.WholeSystem) Assert.Contains(v.Name, names);
    }

    [Fact]
    public void LibraryFiles_DescribeTheSameProtocolAsTheBuiltinOfTheirName()
    {
        foreach (var file in Directory.GetFiles(VariantsRoot(), "*.variant", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            if (SystemVariantFile.Applies(text))
            {
                var v = SystemVariantFile.Parse(text, file).Variant!;
                if (SystemBuiltins.Find(v.Name) is { } b) Assert.True(b.SameProtocol(v), file);
            }
            else
            {
                var v = VariantFile.Parse(text, file).Variant!;
                if (Builtins.Find(v.Name) is { } b) Assert.True(b.SameProtocol(v), file);
            }
        }
    }
}
