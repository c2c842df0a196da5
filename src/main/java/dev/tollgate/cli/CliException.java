package dev.tollgate.cli;

/**
 * A failure that ends a client command with one of the {@link ExitCodes}. The message is shown
 * to the user as {@code error: <message>}, so it never contains a token.
 */
public final class CliException extends RuntimeException {
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
