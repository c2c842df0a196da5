package dev.tollgate.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.ExceptionHandlerFunction;
import dev.tollgate.errors.TollgateException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: {@code {code, message, field?}}. Anything
 * unexpected is a 500 with a constant message and a log line, never a stack trace to the caller.
 */
public final class ApiErrors implements ExceptionHandlerFunction {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  private static final Pattern INVITE_CODE = Pattern.compile("^(/v1/invites/)[^/]+");

  @Override
  public HttpResponse handleException(ServiceRequestContext ctx, HttpRequest req, Throwable cause) {
    return toResponse(ctx, cause);
  }

  static HttpResponse toResponse(ServiceRequestContext ctx, Throwable cause) {
    if (cause instanceof TollgateException e) {
      HttpResponse r = error(HttpStatus.valueOf(e.kind().httpStatus()), e.kind().code(), e.getMessage(), e.field());
      return r;
    }
    if (cause instanceof HttpStatusException e) {
      HttpStatus s = e.httpStatus();
      String code = s.code() == 404 ? "not_found" : s.code() == 405 ? "method_not_allowed" : "invalid_argument";
      return error(s, code, s.reasonPhrase(), null);
    }
    if (cause instanceof IllegalArgumentException) {
      return error(HttpStatus.BAD_REQUEST, "invalid_argument", "invalid request", null);
    }
    log.warn("unexpected failure on {} {}", ctx.method(), loggablePath(ctx.path()), cause);
    return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "internal error", null);
  }

  /** The path with secrets in it masked: an invite's code is the secret of its link. */
  static String loggablePath(String path) {
    return INVITE_CODE.matcher(path).replaceFirst("$1<secret>");
  }

  public static HttpResponse error(HttpStatus status, String code, String message, String field) {
    ObjectNode body = Json.object().put("code", code).put("message", message);
    if (field != null) {
      body.put("field", field);
    }
    return Json.respond(status, body);
  }
}
