package dev.tollgate.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --output-file FILE [--force]}, for the commands that create a secret: where it goes
 * instead of stdout (see {@link SecretFile}).
 */
final class SecretOutput {
  @Option(names = "--output-file", paramLabel = "FILE",
      description = "Write the token to this new file (mode 0600) instead of printing it.")
  private Path path;

  @Option(names = "--force", description = "Replace --output-file if it exists.")
  private boolean force;

  /** The file, or null when the secret is to be printed. */
  Path path() {
    return path;
  }

  /**
   * Refuses an existing file without {@code --force}. Call it before the secret is created, so
   * that a refusal leaves nothing behind; without {@code --output-file} it does nothing.
   */
  void checkWritable() {
    if (path != null) {
      SecretFile.checkWritable(path, force);
    }
  }

  /** Writes {@code secret} to {@link #path()}, replacing an existing file only with {@code --force}. */
  void write(String secret) throws IOException {
    SecretFile.write(path, secret, force);
  }
}
