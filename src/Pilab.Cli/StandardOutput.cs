using System.Text;

namespace Pilab.Cli;

/// <summary>
/// Standard output whose failures are told apart: a write to a full disk (<c>&gt; /dev/full</c>), a
/// closed descriptor (<c>&gt;&amp;-</c>) or a broken device fails with <see cref="Failure"/>, which
/// Program turns into one line and <see cref="ExitCodes.OutputError"/>, never a verdict's code or a stack
/// trace. (A closed pipe, EPIPE, is ignored by the runtime as before: a reader that has gone is no error.)
/// </summary>
internal static class StandardOutput
{
    public sealed class Failure(Exception inner) : IOException(inner.Message, inner);

    public static void Install()
    {
        var writer = new StreamWriter(new Guarded(Console.OpenStandardOutput()), new UTF8Encoding(false), 4096) { AutoFlush = true };
        Console.SetOut(writer);
    }

    private sealed class Guarded(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            try { inner.Write(buffer, offset, count); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { throw new Failure(e); }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { inner.Write(buffer); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { throw new Failure(e); }
        }

        public override void Flush()
        {
            try { inner.Flush(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { throw new Failure(e); }
        }
    }
}
