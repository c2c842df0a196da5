package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.Cookie;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Principal;
import dev.tollgate.session.Session;
import dev.tollgate.session.Sessions;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates every REST request before any handler runs: a bearer token, else the session
 * cookie. Presented-but-bad credentials are refused here with one constant message; no
 * credentials leave the request anonymous, and handlers that need a caller ask
 * {@link #caller(ServiceRequestContext)}. Cookie requests that change state must carry the
 * session's CSRF token in {@code X-CSRF-Token}.
 *
 * <p>Every state-changing request without a bearer token (log-in and invite acceptance included,
 * which no CSRF token can protect) must also be one a cross-site page cannot send: a body only
 * as {@code application/json} (a form's {@code text/plain} is refused with 415), and an
 * {@code Origin}, if sent, of this server (its {@code Host}, or {@code --external-url}), else 403.
 */
public final class ApiAuthDecorator implements DecoratingHttpServiceFunction {
  public static final String SESSION_COOKIE = "tollgate_session";
  public static final String CSRF_HEADER = "x-csrf-token";
  public static final String BAD_TOKEN = dev.tollgate.token.TokenAuthenticator.REFUSED_MESSAGE;

  static final AttributeKey<Caller> CALLER = AttributeKey.valueOf(ApiAuthDecorator.class, "CALLER");
  static final AttributeKey<Session> SESSION = AttributeKey.valueOf(ApiAuthDecorator.class, "SESSION");
  static final AttributeKey<String> CSRF_TOKEN = AttributeKey.valueOf(ApiAuthDecorator.class, "CSRF_TOKEN");

  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
  private static final Set<String> CSRF_EXEMPT = Set.of("/v1/auth/login");

  private final BearerAuthenticator bearer;
  private final Sessions sessions;
  private final String externalOrigin;

  /**
   * @param externalUrl the URL browsers reach the server at ({@code --external-url}), or null;
   *     its origin is accepted besides the request's own host
   */
  public ApiAuthDecorator(BearerAuthenticator bearer, Sessions sessions, String externalUrl) {
    this.bearer = requireNonNull(bearer, "bearer");
    this.sessions = requireNonNull(sessions, "sessions");
    this.externalOrigin = externalUrl == null ? null : origin(externalUrl);
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    try {
      return authenticateAndServe(delegate, ctx, req);
    } catch (dev.tollgate.errors.TollgateException e) {
      if (e.kind() != dev.tollgate.errors.TollgateException.Kind.UNAVAILABLE) {
        throw e;
      }
      // The access rules cannot be confirmed current (IamState.current): 503, clients retry.
      return ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, e.kind().code(), e.getMessage(), null);
    }
  }

  private HttpResponse authenticateAndServe(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    String ip = clientIp(ctx);
    String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return ApiErrors.error(HttpStatus.UNAUTHORIZED, "unauthenticated", BAD_TOKEN, null);
      }
      Optional<Principal> p = bearer.authenticate(authorization.substring(7).strip(), ip);
      if (p.isEmpty()) {
        return ApiErrors.error(HttpStatus.UNAUTHORIZED, "unauthenticated", BAD_TOKEN, null);
      }
      ctx.setAttr(CALLER, new Caller(p.get(), ip));
      return delegate.serve(ctx, req);
    }
    if (!SAFE.contains(req.method())) {
      MediaType type = req.contentType();
      // The request arrives read whole (server.ReadRequestFirst), its length declared.
      if (type != null ? !type.is(MediaType.JSON) : req.headers().contentLength() > 0) {
        return ApiErrors.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_argument",
            "request bodies must be sent as Content-Type: application/json", "Content-Type");
      }
      String origin = req.headers().get(HttpHeaderNames.ORIGIN);
      if (origin != null && !isOwnOrigin(origin, req.headers().authority())) {
        return ApiErrors.error(HttpStatus.FORBIDDEN, "permission_denied", "cross-origin request refused", "Origin");
      }
    }
    String cookie = sessionCookie(req);
    if (cookie != null) {
      Optional<Session> s = sessions.resolve(cookie);
      if (s.isPresent()) {
        if (!SAFE.contains(req.method()) && !CSRF_EXEMPT.contains(ctx.path())
            && !csrfMatches(req.headers().get(CSRF_HEADER), s.get().csrfSha256())) {
          return ApiErrors.error(HttpStatus.FORBIDDEN, "permission_denied", "missing or invalid CSRF token", "X-CSRF-Token");
        }
        ctx.setAttr(SESSION, s.get());
        ctx.setAttr(CSRF_TOKEN, dev.tollgate.session.CsrfTokens.forSession(cookie));
        ctx.setAttr(CALLER, new Caller(Principal.user(s.get().user()), ip));
      }
    }
    return delegate.serve(ctx, req);
  }

  /** The authenticated caller, or a 401. */
  public static Caller caller(ServiceRequestContext ctx) {
    Caller c = ctx.attr(CALLER);
    if (c == null) {
      throw dev.tollgate.errors.TollgateException.unauthenticated("authentication required");
    }
    return c;
  }

  /** The session's CSRF token, re-derived from its cookie (the server stores only its hash); null without one. */
  static String csrfToken(ServiceRequestContext ctx) {
    return ctx.attr(CSRF_TOKEN);
  }

  static Session session(ServiceRequestContext ctx) {
    return ctx.attr(SESSION);
  }

  /** The client's address: the peer's, or from a trusted proxy's {@code X-Forwarded-For} (resolved at the edge). */
  static String clientIp(ServiceRequestContext ctx) {
    return dev.tollgate.audit.ClientAddresses.of(ctx);
  }

  /**
   * Whether a browser's {@code Origin} is this server: the host the request was sent to (over
   * http or https, as a TLS proxy may stand in front), or the external URL's origin. {@code null}
   * origins (sandboxed frames, some redirects) never match.
   */
  private boolean isOwnOrigin(String origin, String authority) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    if (o.equals(externalOrigin)) {
      return true;
    }
    if (authority == null) {
      return false;
    }
    String host = authority.toLowerCase(Locale.ROOT);
    return o.equals("http://" + host) || o.equals("https://" + host);
  }

  /** {@code scheme://host[:port]} of a URL, or null when it has none (then only the Host header counts). */
  private static String origin(String url) {
    try {
      URI u = new URI(url.strip());
      if (u.getScheme() == null || u.getHost() == null) {
        return null;
      }
      String o = u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT);
      return u.getPort() < 0 ? o : o + ":" + u.getPort();
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static String sessionCookie(HttpRequest req) {
    for (Cookie c : req.headers().cookies()) {
      if (c.name().equals(SESSION_COOKIE)) {
        return c.value();
      }
    }
    return null;
  }

  /** Constant-time check of a presented CSRF token against the session's stored hash (REST and query calls). */
  static boolean csrfMatches(String presented, String storedSha256) {
    return dev.tollgate.session.CsrfTokens.matches(presented, storedSha256);
  }
}
