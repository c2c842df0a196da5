package dev.tollgate.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;

/**
 * Reads a REST request to its end before anything answers it. Without this, an early answer
 * (a 401 from the credential check, a 403 from a handler that takes no body) completes while the
 * client is still sending the body, and HTTP/2 then resets the request stream - which some
 * clients (the JDK's HttpClient among them) report as a failed request although the answer
 * arrived. REST bodies are small JSON documents, bounded by the server's request length limit.
 */
final class ReadRequestFirst {
  private ReadRequestFirst() {}

  static DecoratingHttpServiceFunction decorator() {
    return (delegate, ctx, req) -> HttpResponse.of(req.aggregate().thenApply(whole -> {
      HttpRequest again = whole.toHttpRequest();
      ctx.updateRequest(again);
      try {
        return delegate.serve(ctx, again);
      } catch (Exception e) {
        return HttpResponse.ofFailure(e);
      }
    }));
  }
}
