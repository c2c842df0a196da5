package dev.tollgate.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a secret to a new file that only its owner can read (mode 0600). The file is created
 * with that mode before a byte is written, never follows a symlink, and an existing file is
 * replaced only when asked to.
 */
final class SecretFile {
  private SecretFile() {}

  /** Fails early, before a secret exists, when {@code path} exists and {@code force} is false. */
  static void checkWritable(Path path, boolean force) {
    if (!force && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw exists(path);
    }
  }

  /** Writes {@code secret} and a newline to {@code path}, created with mode 0600. */
  static void write(Path path, String secret, boolean force) throws IOException {
    if (force) {
      // Replaced rather than truncated, so the new file gets mode 0600 whatever the old one had.
      Files.deleteIfExists(path);
    }
    try {
      Files.createFile(path, ownerOnly(path));
    } catch (FileAlreadyExistsException e) {
      throw exists(path);
    }
    try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
      w.write(secret);
      w.write('\n');
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path path) {
    Path dir = path.toAbsolutePath().getParent();
    boolean posix = dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    // Without POSIX permissions (Windows) the file inherits its directory's ACL; there is nothing better to ask for.
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private static CliException exists(Path path) {
    return new CliException(ExitCodes.CONFLICT, path + " already exists; pass --force to replace it");
  }
}
