package dev.tollgate.profiles;

/**
 * A batch could not be made durable (disk full, I/O error, index database unreachable). The
 * writer rolled the batch back, so nothing of the call was kept and the client may retry it.
 */
public final class StorageFailedException extends RuntimeException {
  public StorageFailedException(Throwable cause) {
    super("profiles could not be stored durably; nothing of this call was kept: " + cause, cause);
  }
}
