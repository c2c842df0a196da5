package dev.tollgate.server;

import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import dev.tollgate.api.ApiErrors;

/**
 * Reads a REST request to its end before anything answers it. Without this, an early answer
 * (a 401 from the credential check, a 403 from a handler that takes no body) completes while the
 * client is still sending the body, and HTTP/2 then resets the request stream - which some
 * clients (the JDK's HttpClient among them) report as a failed request although the answer
 * arrived. The request handed on declares its exact {@code content-length}.
 *
 * <p>Since this runs before authentication, it bounds what it reads: REST bodies are small JSON
 * documents, so {@value #MAX_REST_REQUEST_BYTES} bytes at most (the server's 64 MiB is for gRPC);
 * anything larger is a 413, refused from its declared length before reading, or once the limit is
 * passed.
 */
final class ReadRequestFirst {
  static final long MAX_REST_REQUEST_BYTES = 1 << 20;

  private ReadRequestFirst() {}

  static DecoratingHttpServiceFunction decorator() {
    return (delegate, ctx, req) -> {
      if (req.headers().contentLength() > MAX_REST_REQUEST_BYTES) {
        return tooLarge();
      }
      // The server-wide limit was fixed when the request arrived; count here instead.
      long[] received = {0};
      HttpRequest bounded = req.peekData(data -> {
        received[0] += data.length();
        if (received[0] > MAX_REST_REQUEST_BYTES) {
          throw ContentTooLargeException.builder().maxContentLength(MAX_REST_REQUEST_BYTES)
              .transferred(received[0]).build();
        }
      });
      return HttpResponse.of(bounded.aggregate().handle((whole, cause) -> {
        if (cause != null) {
          return Exceptions.peel(cause) instanceof ContentTooLargeException ? tooLarge() : HttpResponse.ofFailure(cause);
        }
        // Handed on with its exact length declared, so later checks know whether a body came.
        HttpRequest again = HttpRequest.of(whole.headers().toBuilder().contentLength(whole.content().length()).build(),
            whole.content(), whole.trailers());
        ctx.updateRequest(again);
        try {
          return delegate.serve(ctx, again);
        } catch (Exception e) {
          return HttpResponse.ofFailure(e);
        }
      }));
    };
  }

  private static HttpResponse tooLarge() {
    return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "invalid_argument",
        "request body too large: REST requests are limited to " + (MAX_REST_REQUEST_BYTES >> 20) + " MiB", "body");
  }
}
