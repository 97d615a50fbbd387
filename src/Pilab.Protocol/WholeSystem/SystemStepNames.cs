namespace Pilab.Protocol;

/// <summary>SPEC.md section 7's names for the whole-system steps, sub-steps and policies.</summary>
public static class SystemStepNames
{
    public static string Name(BlockStep s) => s switch
    {
        BlockStep.WaiterSet => "waiter.set",
        BlockStep.TaskSet => "task.set",
        BlockStep.Mb => "mb",
        BlockStep.OnRead => "on.read",
        BlockStep.OnClear => "on.clear",
        BlockStep.PirDrain => "pir.drain",
        BlockStep.IrrCheck => "irr.check",
        BlockStep.SchedOutBlock => "sched.out.block",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(SchedInStep s) => s switch
    {
        SchedInStep.WakelistDel => "wakelist.del",
        SchedInStep.DescUpdate => "desc.update",
        SchedInStep.Mb => "mb",
        SchedInStep.OnRecompute => "on.recompute",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(SchedOutStep s) => s switch
    {
        SchedOutStep.WakelistAdd => "wakelist.add",
        SchedOutStep.NvWakeup => "nv.wakeup",
        SchedOutStep.OnTest => "on.test",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(KvmDesign d) => d == KvmDesign.Kvm2019 ? "kvm-2019" : "kvm-2021";

    public static string Name(WakeupVector w) => w switch
    {
        WakeupVector.Armed => "armed",
        WakeupVector.Off => "off",
        _ => "auto",
    };

    public static string Name(BlockedNdst b) => b == BlockedNdst.Keep ? "keep" : "follow";

    /// <summary>Words of the block line, with the shorthands <c>wait.prepare</c>, <c>sync</c> and <c>block.check</c> expanded.</summary>
    public static BlockStep[]? ParseBlockWord(string word) => word switch
    {
        "wait.prepare" => [BlockStep.WaiterSet, BlockStep.TaskSet, BlockStep.Mb],
        "sync" => [BlockStep.OnRead, BlockStep.OnClear, BlockStep.PirDrain],
        "block.check" => [BlockStep.OnRead, BlockStep.OnClear, BlockStep.PirDrain, BlockStep.IrrCheck],
        _ => Enum.GetValues<BlockStep>().Where(s => Name(s) == word).Select(s => new[] { s }).FirstOrDefault(),
    };

    public static bool TryParse(string word, out SchedInStep step)
    {
        foreach (var s in Enum.GetValues<SchedInStep>())
            if (Name(s) == word) { step = s; return true; }
        step = default;
        return false;
    }

    public static bool TryParse(string word, out SchedOutStep step)
    {
        foreach (var s in Enum.GetValues<SchedOutStep>())
            if (Name(s) == word) { step = s; return true; }
        step = default;
        return false;
    }

    public const string BlockWords = "wait.prepare (= waiter.set task.set mb), block.check (= sync irr.check), waiter.set, task.set, mb, sync, on.read, on.clear, pir.drain, irr.check, sched.out.block";
    public const string SchedInWords = "wakelist.del, desc.update, mb, on.recompute, or none";
    public const string SchedOutWords = "wakelist.add, nv.wakeup, on.test, or none";
}
