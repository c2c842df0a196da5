package dev.tollgate.ingest;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.ExceptionHandlerFunction;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps {@link RestException} to its JSON body; everything else falls through to the server's handlers. */
final class RestErrorHandler implements ExceptionHandlerFunction {
  @Override
  public HttpResponse handleException(ServiceRequestContext ctx, HttpRequest req, Throwable cause) {
    if (cause instanceof RestException e) {
      Map<String, String> body = new LinkedHashMap<>();
      body.put("code", e.code);
      body.put("message", e.getMessage());
      if (e.field != null) {
        body.put("field", e.field);
      }
      return HttpResponse.ofJson(e.status, body);
    }
    return ExceptionHandlerFunction.fallthrough();
  }
}
