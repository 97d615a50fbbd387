using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>
/// The compiled programs the checker and the live runtime both run (docs/model.md sections 3 and 4):
/// exact layouts and skip targets for a pre-patch and a patched built-in, and the names and seed
/// numbers the narrator, the Promela export and the live log print.
/// </summary>
public sealed class ThreadProgramTests
{
    [Fact]
    public void PrePatchLayoutAndSkips()
    {
        var p = new ThreadProgram(Builtins.PrePatch);
        Assert.Equal(
            [ThreadOp.ReqTest, ThreadOp.ReqClear, ThreadOp.OnRead, ThreadOp.OnClear, ThreadOp.PirDrain,
             ThreadOp.ModeIn, ThreadOp.Mb, ThreadOp.IrqOff, ThreadOp.Check, ThreadOp.Enter, ThreadOp.ModeOut, ThreadOp.IrqOn],
            p.Thread.Select(i => i.Op));
        // req.test without EVENT skips to the entry (5); on.read with ON = 0 skips on.clear and pir.drain; check cancels to mode.out (10)
        Assert.Equal([5, 2, 5, 4, 5, 6, 7, 8, 10, 10, 11, 12], p.Thread.Select(i => (int)i.SkipTo));
        Assert.Equal(10, p.ModeOutPc);
        Assert.Equal(12, p.GuestPc);
        // on-already-set kick: mode.read (3) jumps to the kick (5); a notify that sent the IPI skips the kick
        Assert.Equal([1, 2, 3, 5, 6, 6], p.Injector.Select(i => (int)i.SkipTo));
    }

    [Fact]
    public void FixedLayoutAndSkips()
    {
        var p = new ThreadProgram(Builtins.Fixed);
        Assert.Equal(
            [ThreadOp.IrqOff, ThreadOp.ModeIn, ThreadOp.Mb, ThreadOp.OnRead, ThreadOp.OnClear, ThreadOp.PirDrain,
             ThreadOp.Check, ThreadOp.Enter, ThreadOp.ModeOut, ThreadOp.IrqOn],
            p.Thread.Select(i => i.Op));
        Assert.Equal([1, 2, 3, 6, 5, 6, 8, 8, 9, 10], p.Thread.Select(i => (int)i.SkipTo));
        Assert.Equal(8, p.ModeOutPc);
        Assert.Equal(10, p.GuestPc);
        Assert.Equal([1, 2, 3, 5, 5], p.Injector.Select(i => (int)i.SkipTo));
    }

    [Fact]
    public void NamesAndSeedNumbers()
    {
        Assert.Equal(
            ["req.test", "req.clear", "irq.off", "mode.in", "mb", "on.read", "on.clear", "pir.drain", "check", "enter", "mode.out", "irq.on"],
            Enum.GetValues<ThreadOp>().Select(ThreadProgram.Name));
        Assert.Equal(
            [null, null, "4a", "3", null, "2", "2", "1", "4b", null, null, null],
            Enum.GetValues<ThreadOp>().Select(ThreadProgram.SeedNumber));
    }
}
