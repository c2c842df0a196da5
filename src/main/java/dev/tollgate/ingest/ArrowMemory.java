package dev.tollgate.ingest;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The off-heap memory Arrow streams are decoded in: one root allocator, whose limit is the decode
 * budget all calls share, and one child of it per stream ({@link #forOneStream}). Every allocation
 * is recorded under the allocator that made it, so that when a stream is done whatever its
 * allocator still holds is freed and its bytes given back to the budget.
 *
 * <p>Why: Arrow Java reads a message's body and decompresses its buffers before it checks them, and
 * on most failures it throws without freeing what it had allocated (a corrupt LZ4 frame, a
 * dictionary id the schema lacks, a flatbuffer it cannot read: 817 of 30,000 one-byte corruptions
 * of an agent's stream leaked 64-512 bytes each). Those bytes are never freed by anything, so an
 * authenticated writer could shrink the decode budget call by call until every Arrow write is
 * refused. {@link IpcFraming} refuses the cases it can recognise first; this frees the rest.
 * Freeing is safe because nothing reads a stream's buffers after its reader and allocator are
 * closed: what the index keeps of a stream is copied to the heap while it is read.
 */
final class ArrowMemory implements AutoCloseable {
  private final Map<BufferAllocator, Set<Allocation>> live = new ConcurrentHashMap<>();
  private final RootAllocator root;

  /** @param limit the bytes all streams decoded at once may take */
  ArrowMemory(long limit) {
    this.root = new RootAllocator(RootAllocator.configBuilder().maxAllocation(limit)
        .allocationManagerFactory(new Factory()).build());
  }

  /** The shared allocator (its limit is the budget; what it holds, all streams' data). */
  BufferAllocator root() {
    return root;
  }

  /** Memory for one stream, at most {@code limit} bytes; close it after the stream's reader. */
  Stream forOneStream(String name, long limit) {
    return new Stream(root.newChildAllocator(name, 0, limit));
  }

  /** One stream's allocator; closing it frees what the stream's reader left allocated. */
  final class Stream implements AutoCloseable {
    private final BufferAllocator allocator;
    private long reclaimed;

    private Stream(BufferAllocator allocator) {
      this.allocator = allocator;
    }

    BufferAllocator allocator() {
      return allocator;
    }

    /** Bytes freed on close that Arrow had left allocated (0 when the stream was read cleanly). */
    long reclaimed() {
      return reclaimed;
    }

    @Override
    public void close() {
      Set<Allocation> left = live.remove(allocator);
      if (left != null && allocator.getAllocatedMemory() > 0) {
        long bytes = 0;
        for (Allocation a : left) {
          bytes += a.free();
        }
        reclaimed = Math.min(bytes, allocator.getAllocatedMemory());
        allocator.releaseBytes(reclaimed);
      }
      allocator.close();
    }
  }

  @Override
  public void close() {
    root.close();
  }

  /** Arrow's unsafe allocation, recorded under its allocator until it is freed. */
  private final class Allocation extends AllocationManager {
    private final BufferAllocator owner;
    private final long size;
    private final long address;
    private final AtomicBoolean freed = new AtomicBoolean();

    Allocation(BufferAllocator owner, long size) {
      super(owner);
      this.owner = owner;
      this.size = size;
      this.address = MemoryUtil.allocateMemory(size);
      live.computeIfAbsent(owner, k -> ConcurrentHashMap.newKeySet()).add(this);
    }

    @Override
    public long getSize() {
      return size;
    }

    @Override
    protected long memoryAddress() {
      return address;
    }

    /** Arrow released the last reference: the usual way. */
    @Override
    protected void release0() {
      free();
      Set<Allocation> of = live.get(owner);
      if (of != null) {
        of.remove(this);
      }
    }

    /** Frees the memory once, whoever asks first; the bytes it freed, 0 when it already was. */
    long free() {
      if (!freed.compareAndSet(false, true)) {
        return 0;
      }
      MemoryUtil.freeMemory(address);
      return size;
    }
  }

  private final class Factory implements AllocationManager.Factory {
    @Override
    public AllocationManager create(BufferAllocator accountingAllocator, long size) {
      return new Allocation(accountingAllocator, size);
    }

    @Override
    public ArrowBuf empty() {
      return UnsafeAllocationManager.FACTORY.empty();
    }
  }
}
