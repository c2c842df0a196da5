package dev.tollgate.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Arrow's LZ4_FRAME buffer compression written with lz4-java, which compresses hundreds of
 * megabytes in seconds where commons-compress (Arrow's own codec) takes minutes; the frames are
 * the standard format, which the server reads with commons-compress like the agent's. Test
 * fixtures only: it cannot decompress.
 */
final class FastLz4FrameCodec extends AbstractCompressionCodec {
  private long uncompressedBytes;

  /** The bytes of every buffer compressed so far, before compression. */
  long uncompressedBytes() {
    return uncompressedBytes;
  }

  @Override
  protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
    byte[] in = new byte[Math.toIntExact(uncompressed.writerIndex())];
    uncompressed.getBytes(0, in);
    uncompressedBytes += in.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 4 + 64);
    try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB)) {
      lz4.write(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] frame = out.toByteArray();
    // Arrow's layout: 8 bytes of uncompressed length (written by the caller), then the frame
    ArrowBuf buf = allocator.buffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + frame.length);
    buf.setBytes(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, frame);
    buf.writerIndex(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + frame.length);
    return buf;
  }

  @Override
  protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
    throw new UnsupportedOperationException("a fixture writer only");
  }

  @Override
  public CompressionUtil.CodecType getCodecType() {
    return CompressionUtil.CodecType.LZ4_FRAME;
  }
}
