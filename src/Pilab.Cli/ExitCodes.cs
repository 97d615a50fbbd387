namespace Pilab.Cli;

/// <summary>pilab's exit codes (README, "Exit codes").</summary>
internal static class ExitCodes
{
    public const int NoLoss = 0;
    public const int Violation = 1;
    public const int BadInput = 2;
    public const int BoundReached = 3;
}
