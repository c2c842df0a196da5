package dev.tollgate.ingest;

/** Ingested data is malformed; the gRPC edge answers INVALID_ARGUMENT with this message. */
final class InvalidProfileException extends RuntimeException {
  InvalidProfileException(String message) {
    super(message, null, false, false);
  }

  InvalidProfileException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
