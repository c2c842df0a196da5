package dev.tollgate.ingest;

/**
 * The server cannot take this data right now because of its own limits (memory to decode it, a
 * budget shared by all calls), not because the data is wrong: the gRPC edge answers
 * RESOURCE_EXHAUSTED, which Parca clients retry with backoff, so nothing is dropped.
 */
final class ServerCapacityException extends RuntimeException {
  ServerCapacityException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
