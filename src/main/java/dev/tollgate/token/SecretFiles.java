package dev.tollgate.token;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a secret to a new file that only its owner can read (mode 0600 from the first byte). */
public final class SecretFiles {
  private SecretFiles() {}

  /**
   * Creates {@code file} with mode 0600 and writes {@code secret}, without a newline: parca-push
   * sends its token file as it is, and HTTP/2 refuses a header with a newline in it. Refuses to
   * overwrite ({@link java.nio.file.FileAlreadyExistsException}) unless {@code replace}; a
   * replaced file is removed first so its old mode cannot leak.
   */
  public static void write(Path file, String secret, boolean replace) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (replace) {
      Files.deleteIfExists(file);
    }
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    // CREATE_NEW is O_EXCL: it fails on an existing file or symlink, so nothing is followed or truncated.
    var attrs = posix
        ? new java.nio.file.attribute.FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new java.nio.file.attribute.FileAttribute<?>[0];
    try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        attrs)) {
      ch.write(java.nio.ByteBuffer.wrap(secret.getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
  }

  public static void write(Path file, String secret) throws IOException {
    write(file, secret, false);
  }
}
