package dev.tollgate.cli;

import dev.tollgate.token.SecretFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

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

  /** Writes {@code secret} and a newline to {@code path}, created with mode 0600 (see {@link SecretFiles}). */
  static void write(Path path, String secret, boolean force) throws IOException {
    try {
      SecretFiles.write(path, secret, force);
    } catch (FileAlreadyExistsException e) {
      throw exists(path);
    }
  }

  private static CliException exists(Path path) {
    return new CliException(ExitCodes.CONFLICT, path + " already exists; pass --force to replace it");
  }
}
