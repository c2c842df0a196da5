package dev.tollgate.query;

/** A request the read path cannot answer as asked (bad selector, time range, mode); INVALID_ARGUMENT at the edge. */
final class InvalidQueryException extends RuntimeException {
  InvalidQueryException(String message) {
    super(message, null, false, false);
  }
}
