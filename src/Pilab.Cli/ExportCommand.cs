using System.CommandLine;
using Pilab.Export;

namespace Pilab.Cli;

/// <summary><c>pilab export --promela</c>: the variant and configuration as a Promela model for SPIN.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var promela = new Option<bool>("--promela") { Description = "write a Promela model with pilab's semantics (the only format so far)" };
        var output = new Option<string?>("--output", "-o") { Description = "write to this file instead of standard output" };
        var command = new Command("export", $"write the model of a variant and configuration for another checker; verify with: {PromelaExporter.SpinCommand}");
        common.AddTo(command);
        command.Options.Add(promela);
        command.Options.Add(output);
        command.SetAction(p =>
        {
            if (!p.GetValue(promela))
            {
                Console.Error.WriteLine("pilab: export needs a format: --promela");
                return ExitCodes.BadInput;
            }
            if (!common.TryResolve(p, out var variant, out var config, out _)) return ExitCodes.BadInput;
            string model = variant.IsAvic ? AvicPromelaExporter.Export(variant, config)
                : variant.WholeSystem ? SystemPromelaExporter.Export(variant, config) : PromelaExporter.Export(variant, config);
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
