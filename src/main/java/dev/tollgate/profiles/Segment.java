package dev.tollgate.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One append-only segment file, named {@code <sequence>-<createdMillis>.seg} so that names sort
 * by age and the creation time survives restarts. Only the writer thread appends.
 */
final class Segment implements AutoCloseable {
  final Path path;
  final long sequence;
  final long createdMillis;
  private FileChannel channel;
  private long size;

  private Segment(Path path, long sequence, long createdMillis) {
    this.path = path;
    this.sequence = sequence;
    this.createdMillis = createdMillis;
  }

  static String fileName(long sequence, long createdMillis) {
    return String.format("%012d-%d.seg", sequence, createdMillis);
  }

  /** The parsed name, or empty when the file is not a segment. */
  static Optional<Segment> ofExisting(Path path) {
    String n = path.getFileName().toString();
    int dash = n.indexOf('-');
    if (!n.endsWith(".seg") || dash < 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Segment(path, Long.parseLong(n.substring(0, dash)),
          Long.parseLong(n.substring(dash + 1, n.length() - 4))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Segment create(Path dir, long sequence, long createdMillis) throws IOException {
    Segment s = new Segment(dir.resolve(fileName(sequence, createdMillis)), sequence, createdMillis);
    s.channel = dev.tollgate.files.PrivateFiles.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return s;
  }

  String name() {
    return path.getFileName().toString();
  }

  long size() {
    return size;
  }

  /** Writes the frame at the end and returns its offset; not durable until {@link #sync()}. */
  long append(ByteBuffer frame) throws IOException {
    long offset = size;
    long pos = offset;
    while (frame.hasRemaining()) {
      pos += channel.write(frame, pos);
    }
    size = pos;
    return offset;
  }

  void sync() throws IOException {
    channel.force(false);
  }

  /** Cuts the file back to {@code length} after a failed batch. */
  void truncate(long length) throws IOException {
    channel.truncate(length);
    size = length;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
