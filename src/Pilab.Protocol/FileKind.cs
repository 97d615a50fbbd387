using System.Runtime.InteropServices;

namespace Pilab.Protocol;

/// <summary>
/// What a path names, from stat(2) following links, without opening it: opening a FIFO for reading
/// blocks until a writer comes, and a device such as /dev/zero never ends, so a variant path (and an
/// output path that is replaced by renaming) is looked at first. .NET has no public call that tells a
/// FIFO or a device from a file, so this asks the runtime's own native shim (libSystem.Native's
/// SystemNative_Stat, whose FileStatus begins with its flags and the st_mode bits on every Unix).
/// </summary>
public static class FileKind
{
    /// <summary>The kind of file <paramref name="path"/> names (links followed); null where it cannot be
    /// told (no such file, a dangling link or a loop, no permission, or not a Unix system).</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            if (SystemNativeStat(path, out var status) != 0) return null;
            return (status.Mode & 0xF000) switch
            {
                0x8000 => "a regular file",
                0x4000 => "a directory",
                0x1000 => "a FIFO (named pipe)",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "not a regular file",
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    public const string Regular = "a regular file";

    /// <summary>The start of the runtime's FileStatus; the rest of its fields fit in the padding.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Status
    {
        public int Flags;
        public int Mode;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int SystemNativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out Status status);
}
