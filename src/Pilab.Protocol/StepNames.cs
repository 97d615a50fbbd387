namespace Pilab.Protocol;

/// <summary>docs/model.md's names for the steps, and the seed mail's numbering of them.</summary>
public static class StepNames
{
    public static string Name(EntryStep s) => s switch
    {
        EntryStep.IrqOff => "irq.off",
        EntryStep.ModeIn => "mode.in",
        EntryStep.Mb => "mb",
        EntryStep.OnRead => "on.read",
        EntryStep.OnClear => "on.clear",
        EntryStep.PirDrain => "pir.drain",
        EntryStep.Check => "check",
        EntryStep.Enter => "enter",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(InjectorStep s) => s switch
    {
        InjectorStep.PirSet => "pir.set",
        InjectorStep.OnSet => "on.set",
        InjectorStep.ReqSet => "req.set",
        InjectorStep.ModeRead => "mode.read",
        InjectorStep.Notify => "notify",
        InjectorStep.Kick => "kick",
        InjectorStep.Mb => "mb",
        InjectorStep.Wake => "wake",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>The seed's pairing numbers: (1) PIR, (2) ON, (3) mode, (4a) IRQs/IPI, (4b) kick/check.</summary>
    public static string? SeedNumber(EntryStep s) => s switch
    {
        EntryStep.IrqOff => "4a",
        EntryStep.ModeIn => "3",
        EntryStep.OnRead or EntryStep.OnClear => "2",
        EntryStep.PirDrain => "1",
        EntryStep.Check => "4b",
        _ => null,
    };

    public static string? SeedNumber(InjectorStep s) => s switch
    {
        InjectorStep.PirSet => "1",
        InjectorStep.OnSet => "2",
        InjectorStep.ModeRead => "3",
        InjectorStep.Notify => "4a",
        InjectorStep.Kick => "4b",
        _ => null,
    };

    public static string Name(OnAlreadySet o) => o switch
    {
        OnAlreadySet.Done => "done",
        OnAlreadySet.Kick => "kick",
        OnAlreadySet.Continue => "continue",
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };

    public static string Name(RequestHandling r) => r switch
    {
        RequestHandling.None => "none",
        RequestHandling.PrePatch => "prepatch",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    public static bool TryParseEntry(string word, out EntryStep step)
    {
        foreach (var s in Enum.GetValues<EntryStep>())
            if (Name(s) == word) { step = s; return true; }
        step = default;
        return false;
    }

    public static bool TryParseInjector(string word, out InjectorStep step)
    {
        foreach (var s in Enum.GetValues<InjectorStep>())
            if (Name(s) == word) { step = s; return true; }
        step = default;
        return false;
    }

    /// <summary>The words the entry line accepts, for error messages.</summary>
    public static string EntryWords => "irq.off, mode.in, mb, sync, on.read, on.clear, pir.drain, check, enter";

    public static string InjectorWords => "pir.set, on.set, req.set, mode.read, notify, kick, mb, wake";

    // The whole-system designs' actors: the block loop, sched.in, sched.out.block and their policies.

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
