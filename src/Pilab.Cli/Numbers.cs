using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Pilab.Cli;

/// <summary>
/// Numbers on the command line are read in the invariant culture with '.' as the decimal point and no
/// group separators: System.CommandLine reads a double with <see cref="NumberStyles.AllowThousands"/>, so
/// '1,5' would be 15. Integers already refuse ',' (<see cref="NumberStyles.Integer"/>). Infinity and NaN
/// are no number here.
/// </summary>
internal static class Numbers
{
    public static Option<double> Invariant(this Option<double> o)
    {
        o.CustomParser = r => Parse(r) ?? 0;
        return o;
    }

    public static Option<double?> Invariant(this Option<double?> o)
    {
        o.CustomParser = Parse;
        return o;
    }

    private static double? Parse(ArgumentResult r)
    {
        if (r.Tokens.Count != 1)
        {
            r.AddError($"{Name(r)} takes one number");
            return null;
        }
        string text = r.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
            return v;
        r.AddError($"{Name(r)} takes a finite number written with '.' as the decimal point (such as 2.5 or 1e3), not '{Pilab.Protocol.Diagnostic.Printable(text)}'");
        return null;
    }

    private static string Name(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? "the option";
}
