package dev.tollgate.ingest;

/** Ingested data is malformed; the gRPC edge answers INVALID_ARGUMENT with this message. */
final class InvalidProfileException extends RuntimeException {
  private final boolean overSizeLimit;

  InvalidProfileException(String message) {
    this(message, null, false);
  }

  InvalidProfileException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private InvalidProfileException(String message, Throwable cause, boolean overSizeLimit) {
    super(message, cause, false, false);
    this.overSizeLimit = overSizeLimit;
  }

  /** The data is (or decodes to) more bytes than the limit it was checked against; nothing else is known wrong. */
  static InvalidProfileException tooLarge(String message) {
    return new InvalidProfileException(message, null, true);
  }

  /** True when the only problem found is the size limit, which may be the server's memory rather than the data. */
  boolean overSizeLimit() {
    return overSizeLimit;
  }

  /** This problem with {@code prefix} before its message (e.g. where in the request it is). */
  InvalidProfileException at(String prefix) {
    return new InvalidProfileException(prefix + getMessage(), getCause(), overSizeLimit);
  }
}
