package dev.tollgate.server;

import com.linecorp.armeria.server.DecoratingHttpServiceFunction;

/**
 * Response headers that make the browser enforce what the console's code already promises: only
 * its own scripts and styles run (so an escaping slip cannot run injected script), it cannot be
 * framed (click-jacking), content types are not sniffed, and no URL - an invite link carries a
 * secret - leaks through the Referer header. API answers, some of which carry a token shown
 * once, are never stored by a cache.
 */
final class SecurityHeaders {
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
      + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";

  private SecurityHeaders() {}

  /** For the web console's files. */
  static DecoratingHttpServiceFunction console() {
    return (delegate, ctx, req) -> {
      ctx.mutateAdditionalResponseHeaders(h -> h
          .set("content-security-policy", CONTENT_SECURITY_POLICY)
          .set("x-content-type-options", "nosniff")
          .set("x-frame-options", "DENY")
          .set("referrer-policy", "no-referrer"));
      return delegate.serve(ctx, req);
    };
  }

  /** For the REST API under {@code /v1/}. */
  static DecoratingHttpServiceFunction api() {
    return (delegate, ctx, req) -> {
      ctx.mutateAdditionalResponseHeaders(h -> h
          .set("cache-control", "no-store")
          .set("x-content-type-options", "nosniff")
          .set("referrer-policy", "no-referrer"));
      return delegate.serve(ctx, req);
    };
  }
}
