package dev.tollgate.objectstore;

/** Object storage could not be reached or refused a request; callers retry later or answer UNAVAILABLE. */
public final class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
