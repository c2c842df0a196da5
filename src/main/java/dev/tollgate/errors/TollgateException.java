package dev.tollgate.errors;

import static java.util.Objects.requireNonNull;

/**
 * A refusal with a kind that maps to one HTTP status and one gRPC code. Messages are shown to
 * callers as they are, so they never contain secrets.
 */
public final class TollgateException extends RuntimeException {
  /** What went wrong, with its HTTP status. */
  public enum Kind {
    INVALID_ARGUMENT(400, "invalid_argument"),
    UNAUTHENTICATED(401, "unauthenticated"),
    PERMISSION_DENIED(403, "permission_denied"),
    NOT_FOUND(404, "not_found"),
    ALREADY_EXISTS(409, "already_exists"),
    FAILED_PRECONDITION(409, "failed_precondition"),
    RESOURCE_EXHAUSTED(429, "resource_exhausted"),
    UNAVAILABLE(503, "unavailable");

    private final int httpStatus;
    private final String code;

    Kind(int httpStatus, String code) {
      this.httpStatus = httpStatus;
      this.code = code;
    }

    public int httpStatus() {
      return httpStatus;
    }

    public String code() {
      return code;
    }
  }

  private final Kind kind;
  private final String field;

  private TollgateException(Kind kind, String message, String field) {
    super(requireNonNull(message, "message"), null, false, false);
    this.kind = requireNonNull(kind, "kind");
    this.field = field;
  }

  public static TollgateException invalid(String field, String message) {
    return new TollgateException(Kind.INVALID_ARGUMENT, message, field);
  }

  public static TollgateException unauthenticated(String message) {
    return new TollgateException(Kind.UNAUTHENTICATED, message, null);
  }

  /** Names the missing permission, as IAM.md asks. */
  public static TollgateException permissionDenied(String permission) {
    return new TollgateException(
        Kind.PERMISSION_DENIED, "permission denied: missing permission " + permission, null);
  }

  public static TollgateException forbidden(String message) {
    return new TollgateException(Kind.PERMISSION_DENIED, message, null);
  }

  public static TollgateException notFound(String what) {
    return new TollgateException(Kind.NOT_FOUND, what + " not found", null);
  }

  public static TollgateException alreadyExists(String field, String message) {
    return new TollgateException(Kind.ALREADY_EXISTS, message, field);
  }

  public static TollgateException failedPrecondition(String message) {
    return new TollgateException(Kind.FAILED_PRECONDITION, message, null);
  }

  public static TollgateException resourceExhausted(String message) {
    return new TollgateException(Kind.RESOURCE_EXHAUSTED, message, null);
  }

  /** Something this request needs cannot be reached right now; retrying later may succeed. */
  public static TollgateException unavailable(String message) {
    return new TollgateException(Kind.UNAVAILABLE, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}
