package dev.tollgate.errors;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;

/**
 * A refusal with a kind that maps to one HTTP status and one gRPC code. Messages are shown to
 * callers as they are, so they never contain secrets.
 */
public final class TollgateException extends RuntimeException {
  /** What went wrong, with its HTTP status. */
  public enum Kind {
    INVALID_ARGUMENT(400, "invalid_argument", Status.Code.INVALID_ARGUMENT),
    UNAUTHENTICATED(401, "unauthenticated", Status.Code.UNAUTHENTICATED),
    PERMISSION_DENIED(403, "permission_denied", Status.Code.PERMISSION_DENIED),
    NOT_FOUND(404, "not_found", Status.Code.NOT_FOUND),
    ALREADY_EXISTS(409, "already_exists", Status.Code.ALREADY_EXISTS),
    FAILED_PRECONDITION(409, "failed_precondition", Status.Code.FAILED_PRECONDITION),
    RESOURCE_EXHAUSTED(429, "resource_exhausted", Status.Code.RESOURCE_EXHAUSTED),
    UNAVAILABLE(503, "unavailable", Status.Code.UNAVAILABLE);

    private final int httpStatus;
    private final String code;
    private final Status.Code grpcCode;

    Kind(int httpStatus, String code, Status.Code grpcCode) {
      this.httpStatus = httpStatus;
      this.code = code;
      this.grpcCode = grpcCode;
    }

    /** The same refusal on a gRPC call. */
    public Status.Code grpcCode() {
      return grpcCode;
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
