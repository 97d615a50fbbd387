using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pilab.Checker;

/// <summary>
/// An append-only sequence of 64-bit values, each read as two 32-bit fields (the low and the high
/// half), stored in blocks of <see cref="BlockSize"/> values packed at the block's own width: once a
/// block is full, each field is written as its difference from the block's least value of that field,
/// in as many bits as the block's largest difference needs (frame of reference, the bit packing of
/// column stores: Goldstein, Ramakrishnan and Shaft, "Compressing relations and indexes", ICDE 1998).
/// The block being filled is kept unpacked. For <see cref="TreeStore{TState}"/>'s logs this is what
/// turns the numbers it stores into the bits they need: a root pair of half numbers takes the bits of
/// the halves' counts (two tables of a million halves: 40 bits, not 64), and a parent link, whose
/// values in a block of consecutive states lie within a stretch of the level before (breadth-first,
/// in queue order), takes the bits of that stretch (about 17-22, not 32).
/// Reading a value is a block lookup and one or two word reads; a block's bits start on a word.
/// Growing never moves what is stored (the words are a <see cref="ChunkedArray{T}"/>), and the
/// memory bound can count, before they are allocated, the most words appending some values can take.
/// </summary>
internal sealed class PackedLog
{
    private const int Shift = 14;
    /// <summary>Values a block holds.</summary>
    public const int BlockSize = 1 << Shift;
    private const int Mask = BlockSize - 1;

    private struct Block
    {
        public long Word; // where its bits start
        public ulong Mask; // the packed value's bits
        public uint Base1, Base2; // the least low and high field
        public int Width1, Width; // the low field's bits, and the packed value's (both fields)
    }

    private readonly ChunkedArray<ulong> _words = new();
    private readonly ulong[] _open = new ulong[BlockSize]; // the block being filled, unpacked
    private Block[] _blocks = new Block[16];
    private int _sealed; // the blocks packed: the first ones
    private long _count;
    private readonly int _maxWidth; // the most bits a value can take (a bound on what a block's packing takes)

    /// <param name="maxWidth">The most bits a packed value can take: 64, or fewer where the values are
    /// known to be smaller (a parent link plus one: 32).</param>
    public PackedLog(int maxWidth = 64)
    {
        if (maxWidth is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(maxWidth));
        _maxWidth = maxWidth;
    }

    public long Count => _count;

    /// <summary>The bytes held now: the packed words, the open block, the blocks' descriptions.</summary>
    public long Bytes => _words.Count * sizeof(ulong) + OpenBytes + (long)_sealed * Unsafe.SizeOf<Block>();

    public long AllocatedBytes => _words.AllocatedBytes + OpenBytes + (long)_blocks.Length * Unsafe.SizeOf<Block>();

    private static long OpenBytes => (long)BlockSize * sizeof(ulong);

    /// <summary>The bits the packed values of the blocks sealed so far take, a value: what they cost.</summary>
    public double BitsPerValue => _sealed == 0 ? 0 : _words.Count * 64.0 / ((long)_sealed * BlockSize);

    private static long WordsOf(int width) => Math.Max(1, ((long)BlockSize * width + 63) >> 6);

    /// <summary>The most words the packed blocks take once <paramref name="n"/> values are held.</summary>
    private long WordsFor(long n) => _words.Count + Math.Max(0, (n >> Shift) - _sealed) * WordsOf(_maxWidth);

    /// <summary>The bytes allocated once room is made for <paramref name="n"/> values (at most: every block
    /// yet to be packed taken at the widest).</summary>
    public long BytesFor(long n) =>
        _words.BytesFor(WordsFor(n)) + OpenBytes + (long)Math.Max(_blocks.Length, (n >> Shift) + 1) * Unsafe.SizeOf<Block>();

    /// <summary>Makes room for <paramref name="n"/> values in all, so that appending up to them allocates nothing.</summary>
    public void Reserve(long n)
    {
        _words.Reserve(WordsFor(n));
        long blocks = (n >> Shift) + 1;
        if (blocks > _blocks.Length) Array.Resize(ref _blocks, (int)blocks);
    }

    public ulong this[long i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            long b = i >> Shift;
            if (b == _sealed) return _open[i & Mask];
            ref Block k = ref _blocks[b];
            return Unpack(ref k, i);
        }
    }

    /// <summary>Starts loading the word value <paramref name="i"/> starts in (a hint: nothing is checked but the block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(long i)
    {
        long b = i >> Shift;
        if (b >= _sealed || !Sse.IsSupported) return;
        ref Block k = ref _blocks[b];
        Sse.Prefetch0(Unsafe.AsPointer(ref _words[k.Word + (((i & Mask) * k.Width) >> 6)]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Unpack(ref Block k, long i)
    {
        long bit = (i & Mask) * k.Width;
        long w = k.Word + (bit >> 6);
        int shift = (int)bit & 63;
        ulong x = _words[w] >> shift;
        if (shift + k.Width > 64) x |= _words[w + 1] << (64 - shift);
        x &= k.Mask;
        ulong low = (x & ((1UL << k.Width1) - 1)) + k.Base1;
        ulong high = (x >> k.Width1) + k.Base2;
        return low | high << 32;
    }

    /// <summary>Appends a value; its index.</summary>
    public long Append(ulong value)
    {
        long i = _count;
        _open[i & Mask] = value;
        _count = i + 1;
        if ((_count & Mask) == 0) Seal();
        return i;
    }

    /// <summary>Packs the full open block at its width.</summary>
    private void Seal()
    {
        uint min1 = uint.MaxValue, max1 = 0, min2 = uint.MaxValue, max2 = 0;
        foreach (ulong v in _open)
        {
            uint a = (uint)v, b = (uint)(v >> 32);
            min1 = Math.Min(min1, a);
            max1 = Math.Max(max1, a);
            min2 = Math.Min(min2, b);
            max2 = Math.Max(max2, b);
        }
        int width1 = 32 - BitOperations.LeadingZeroCount(max1 - min1);
        int width = width1 + 32 - BitOperations.LeadingZeroCount(max2 - min2);
        if (width > _maxWidth) throw new InvalidOperationException($"a packed value of {width} bits in a log of at most {_maxWidth}");
        if (_sealed == _blocks.Length) Array.Resize(ref _blocks, _blocks.Length * 2);
        _blocks[_sealed] = new Block
        {
            Word = _words.Count,
            Mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1,
            Base1 = min1,
            Base2 = min2,
            Width1 = width1,
            Width = width,
        };
        long words = 0;
        ulong acc = 0;
        int filled = 0; // the bits of acc in use
        foreach (ulong v in _open)
        {
            ulong x = ((uint)v - min1) | (ulong)((uint)(v >> 32) - min2) << width1;
            acc |= x << filled;
            filled += width;
            if (filled >= 64)
            {
                _words.Append(acc);
                words++;
                filled -= 64;
                acc = filled > 0 ? x >> (width - filled) : 0;
            }
        }
        if (filled > 0 || words == 0) _words.Append(acc);
        _sealed++;
    }
}
