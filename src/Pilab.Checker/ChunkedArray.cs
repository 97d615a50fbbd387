using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// An append-only array in fixed 64 Ki-element chunks: growing never copies what is stored, no
/// single allocation gets large enough to fail on a fragmented heap, and the memory bound can count
/// what a chunk costs before it is allocated (<see cref="Reserve"/>).
/// </summary>
internal sealed class ChunkedArray<T> where T : unmanaged
{
    private const int Shift = 16;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private T[][] _chunks = new T[16][];
    private long _count;
    private int _allocated; // chunks allocated: they are filled in order, so these are the first ones
    private int _released; // the first chunks, dropped by Release

    public long Count => _count;

    /// <summary>The bytes of the chunks allocated now.</summary>
    public long AllocatedBytes => (long)(_allocated - _released) * ChunkSize * Unsafe.SizeOf<T>();

    /// <summary>Elements that can be appended before the next chunk is allocated.</summary>
    public long Room => ((long)_allocated << Shift) - _count;

    /// <summary>The bytes of one chunk.</summary>
    public long ChunkBytes => (long)ChunkSize * Unsafe.SizeOf<T>();

    /// <summary>The bytes of the chunks that holding this many elements takes (at least those allocated now).</summary>
    public long BytesFor(long count) => (Math.Max(_allocated, (count + Mask) >> Shift) - _released) * ChunkSize * Unsafe.SizeOf<T>();

    /// <summary>Drops the chunks that hold only elements below <paramref name="index"/>: they are not
    /// read again (an element there may no longer be read).</summary>
    public void Release(long index)
    {
        int chunks = (int)Math.Min(index >> Shift, _allocated);
        while (_released < chunks) _chunks[_released++] = null!;
    }

    /// <summary>Allocates the chunks that holding this many elements takes, so appending up to it allocates nothing.</summary>
    public void Reserve(long count)
    {
        long chunks = (count + Mask) >> Shift;
        while (_allocated < chunks) AllocateNext();
    }

    private void AllocateNext()
    {
        if (_allocated == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        _chunks[_allocated++] = new T[ChunkSize];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Append(T value)
    {
        long i = _count;
        if (i >> Shift == _allocated) AllocateNext();
        _chunks[i >> Shift][i & Mask] = value;
        _count = i + 1;
        return i;
    }

    public ref T this[long i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[i >> Shift][i & Mask];
    }
}
