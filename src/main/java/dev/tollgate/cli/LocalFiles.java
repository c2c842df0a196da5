package dev.tollgate.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Local file errors in words a user reads ("no such file: cpu.pb.gz"), as a {@link CliException}
 * with {@link ExitCodes#SERVER_ERROR} (exit 8 also covers local I/O errors), never as the name of
 * a Java exception.
 */
final class LocalFiles {
  private LocalFiles() {}

  /** The bytes of {@code file}, or a CliException saying why they cannot be read. */
  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw failure(file, e);
    }
  }

  /** {@code e} for {@code file} in words, with the exit code for local I/O errors. */
  static CliException failure(Path file, IOException e) {
    return new CliException(ExitCodes.SERVER_ERROR, describe(file, e));
  }

  /** "no such file: F", "permission denied: F", "F is a directory", or "cannot read F: reason". */
  static String describe(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file: " + file;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + file;
    }
    if (e instanceof FileAlreadyExistsException) {
      return file + " already exists";
    }
    if (Files.isDirectory(file)) {
      return file + " is a directory, not a file";
    }
    return "cannot read " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }
}
