package dev.tollgate.ingest;

import com.linecorp.armeria.common.HttpStatus;

/** A REST refusal of the read routes: rendered by {@link RestErrorHandler} as {@code {"code","message","field"}}. */
final class RestException extends RuntimeException {
  final HttpStatus status;
  final String code;
  final String field;

  private RestException(HttpStatus status, String code, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  static RestException invalid(String field, String message) {
    return new RestException(HttpStatus.BAD_REQUEST, "invalid_argument", message, field);
  }

  static RestException notFound(String message) {
    return new RestException(HttpStatus.NOT_FOUND, "not_found", message, null);
  }
}
