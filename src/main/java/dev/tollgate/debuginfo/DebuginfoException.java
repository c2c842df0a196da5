package dev.tollgate.debuginfo;

/** A refused debug-info operation; the gRPC edge maps {@link #reason()} to a status code. */
public final class DebuginfoException extends RuntimeException {
  /** Why, in transport-neutral words. */
  public enum Reason {
    /** Bad input (INVALID_ARGUMENT). */
    INVALID,
    /** Unknown build id (NOT_FOUND). */
    NOT_FOUND,
    /** Already uploaded with the same hash (ALREADY_EXISTS). */
    ALREADY_EXISTS,
    /** Not allowed in the current state (FAILED_PRECONDITION). */
    PRECONDITION
  }

  private final Reason reason;

  public DebuginfoException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
