package dev.tollgate.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the data directory for as long as this server runs. Two servers
 * appending to the same segment files would corrupt each other's data, so the second one
 * refuses to start, naming the process that holds the directory. The operating system drops
 * the lock when the process ends, however it ends (SIGKILL included), so no stale lock file
 * ever needs removing by hand.
 */
final class DataDirectoryLock implements AutoCloseable {
  static final String FILE_NAME = ".lock";

  /** Another server uses the directory. */
  static final class InUseException extends IllegalStateException {
    InUseException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirectoryLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel ch = dev.tollgate.files.PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another server in this same JVM
    }
    if (lock == null) {
      String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
      ch.close();
      throw new InUseException("the data directory " + dataDir.toAbsolutePath() + " is in use by another Tollgate"
          + " server" + (holder.isEmpty() ? "" : " (" + holder + ")")
          + "; stop it, or give this one its own --data-dir");
    }
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
    ch.force(false);
    return new DataDirectoryLock(ch, lock);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
