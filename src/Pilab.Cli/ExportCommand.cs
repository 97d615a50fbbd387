using System.CommandLine;
using Pilab.Export;

namespace Pilab.Cli;

/// <summary><c>pilab export --promela</c>: the variant and configuration as a Promela model for SPIN; <c>--litmus</c>: its
/// store-buffering core as an LKMM litmus test (docs/litmus.md).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var promela = new Option<bool>("--promela") { Description = "write a Promela model with pilab's semantics, for SPIN" };
        var litmus = new Option<bool>("--litmus") { Description = "write the variant's store-buffering core as a C litmus test for the kernel memory model (herd7, tools/memory-model; docs/litmus.md)" };
        var output = new Option<string?>("--output", "-o") { Description = "write to this file instead of standard output" };
        var command = new Command("export", $"write the model of a variant and configuration for another checker; verify with: {PromelaExporter.SpinCommand}");
        // The variant and its configuration: no search option (the export runs no search) and no --json.
        command.Arguments.Add(common.Variant);
        foreach (var o in common.ConfigurationOptions) command.Options.Add(o);
        command.Options.Add(promela);
        command.Options.Add(litmus);
        command.Options.Add(output);
        command.SetAction(p =>
        {
            bool asLitmus = p.GetValue(litmus);
            if (p.GetValue(promela) == asLitmus)
            {
                Console.Error.WriteLine("pilab: export needs one format: --promela or --litmus");
                return ExitCodes.BadInput;
            }
            if (common.Load(p) is not { } variant || common.ConfigurationFor(p, variant) is not { } config) return ExitCodes.BadInput;
            if (asLitmus && common.ConfigurationOptions.Where(o => CommonOptions.Given(p, o)).Select(o => o.Name).ToList() is [_, ..] given)
            {
                Console.Error.WriteLine($"pilab: --litmus writes one injector posting one vector once (docs/litmus.md); {string.Join(", ", given)} do not apply to it");
                return ExitCodes.BadInput;
            }
            if (asLitmus && variant.IsAvic)
                return CommonOptions.Refuse("export --litmus", variant, LitmusExporter.AvicReason);
            string model = asLitmus ? LitmusExporter.Export(variant) : PromelaExport.Export(variant, config);
            if (p.GetValue(output) is { } path)
            {
                if (!ReportFiles.TryWrite(path, model, out _)) return ExitCodes.BadInput;
            }
            else Console.Write(model);
            return ExitCodes.NoLoss;
        });
        return command;
    }
}
