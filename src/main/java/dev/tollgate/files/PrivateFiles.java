package dev.tollgate.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Owner-only files and directories: files 0600, directories 0700, set when they are created
 * (Java cannot change the process umask, so every creation site asks for the mode itself) and
 * repaired by {@link #repairTree} at start for data written by an older version or by hand.
 *
 * <p>On a file system without POSIX permissions (Windows) every method is a plain create and the
 * repair does nothing.
 */
public final class PrivateFiles {
  public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  /** Bits that let anyone but the owner in. */
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** A file or directory whose mode was too open and was narrowed. */
  public record Repaired(Path path, String before, String after) {}

  private PrivateFiles() {}

  private static boolean posix(Path p) {
    FileSystem fs = p.getFileSystem();
    return fs.supportedFileAttributeViews().contains("posix");
  }

  /** Attributes that create a file 0600 (none where the file system has no POSIX modes). */
  public static FileAttribute<?>[] fileAttributes(Path file) {
    return posix(file) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
        : new FileAttribute<?>[0];
  }

  /** {@link FileChannel#open} that creates the file 0600; an existing file keeps its mode. */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, Set.of(options), fileAttributes(file));
  }

  /**
   * Creates {@code dir} and its missing parents, each new one 0700 (existing ones are left as
   * they are: a parent such as {@code /var/lib} is not ours to narrow).
   */
  public static Path createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      return dir;
    }
    Path parent = abs.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createDirectories(parent);
    }
    try {
      if (posix(abs)) {
        Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        // The umask narrows the mode given at creation, never widens it; set it exactly anyway.
        Files.setPosixFilePermissions(abs, DIRECTORY_MODE);
      } else {
        Files.createDirectory(abs);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
    return dir;
  }

  /** Creates an empty 0600 file unless it exists (e.g. a SQLite database, whose -wal/-shm copy its mode). */
  public static void createFileIfMissing(Path file) throws IOException {
    try {
      Files.createFile(file, fileAttributes(file));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // already there: restrict() or repairTree() decide about its mode
    }
  }

  /**
   * Narrows {@code path} (not following a symbolic link) to 0600 for a file or 0700 for a
   * directory when group or others have any access; empty when it was already private, missing,
   * a link, or the file system has no POSIX modes.
   */
  public static java.util.Optional<Repaired> restrict(Path path) throws IOException {
    if (!posix(path) || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return java.util.Optional.empty();
    }
    PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink() || a.isOther()) {
      return java.util.Optional.empty();
    }
    Set<PosixFilePermission> before = a.permissions();
    if (before.stream().noneMatch(OTHERS::contains)) {
      return java.util.Optional.empty();
    }
    Set<PosixFilePermission> after = a.isDirectory() ? DIRECTORY_MODE : FILE_MODE;
    Files.setPosixFilePermissions(path, after);
    return java.util.Optional.of(new Repaired(path, PosixFilePermissions.toString(before),
        PosixFilePermissions.toString(after)));
  }

  /**
   * {@link #restrict} on {@code root} and everything below it. Symbolic links are neither
   * followed nor changed (the root itself may be one: its target is walked).
   *
   * @return what was narrowed, in walk order
   */
  public static List<Repaired> repairTree(Path root) throws IOException {
    List<Repaired> out = new ArrayList<>();
    if (!posix(root) || !Files.exists(root)) {
      return out;
    }
    try (Stream<Path> all = Files.walk(root.toRealPath())) {
      for (Path p : (Iterable<Path>) all::iterator) {
        restrict(p).ifPresent(out::add);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }
}
