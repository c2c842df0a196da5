package dev.tollgate.debuginfo;

import dev.tollgate.debuginfo.DebuginfoException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * The data of one upload, streamed chunk by chunk to a temporary file (never held whole in memory),
 * fsynced and renamed into place by {@link #finish()}. Not thread-safe: one call feeds it in order.
 */
public final class UploadSession implements AutoCloseable {
  private final Path temp;
  private final Path done;
  private final long maxSize;
  private final LongConsumer onFinished;
  private final FileChannel channel;
  private long size;
  private boolean finished;

  UploadSession(Path temp, Path done, long maxSize, LongConsumer onFinished) throws IOException {
    this.temp = temp;
    this.done = done;
    this.maxSize = maxSize;
    this.onFinished = onFinished;
    this.channel = dev.tollgate.files.PrivateFiles.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Appends one chunk. @throws DebuginfoException INVALID once the upload exceeds the size limit */
  public void write(ByteBuffer chunk) {
    size += chunk.remaining();
    if (size > maxSize) {
      throw new DebuginfoException(Reason.INVALID, "upload exceeds maximum allowed size " + maxSize);
    }
    try {
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes the data durable and returns its size. */
  public long finish() {
    try {
      channel.force(true);
      channel.close();
      Files.move(temp, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    finished = true;
    onFinished.accept(size);
    return size;
  }

  /** Drops a partial upload; a no-op after {@link #finish()}. */
  @Override
  public void close() {
    if (finished) {
      return;
    }
    try {
      channel.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
