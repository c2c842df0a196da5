package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.Cookie;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Post;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Organizations;
import dev.tollgate.session.Session;
import dev.tollgate.session.Sessions;
import java.nio.charset.StandardCharsets;

/** {@code /v1/auth/*}: password login into a cookie session, logout, and "who am I". */
public final class AuthApi {
  private final Sessions sessions;
  private final Organizations organizations;
  private final boolean secureCookies;

  public AuthApi(Sessions sessions, Organizations organizations, boolean secureCookies) {
    this.sessions = requireNonNull(sessions, "sessions");
    this.organizations = requireNonNull(organizations, "organizations");
    this.secureCookies = secureCookies;
  }

  @Post("/v1/auth/login")
  @Blocking
  public HttpResponse login(ServiceRequestContext ctx, String body) {
    Json.Body b = Json.body(body);
    Sessions.Login login = sessions.login(b.string("email"), b.string("password"), ApiAuthDecorator.clientIp(ctx));
    Cookie cookie = Cookie.secureBuilder(ApiAuthDecorator.SESSION_COOKIE, login.sessionId())
        .path("/").httpOnly(true).sameSite("Strict").secure(secureCookies)
        .maxAge(12 * 3600).build();
    ObjectNode out = Json.object().put("csrfToken", login.csrfToken());
    out.set("user", Views.user(login.session().user()));
    return json(HttpStatus.OK, out, cookie.toSetCookieHeader());
  }

  @Post("/v1/auth/logout")
  @Blocking
  public HttpResponse logout(ServiceRequestContext ctx) {
    ApiAuthDecorator.caller(ctx);
    Session s = ApiAuthDecorator.session(ctx);
    if (s != null) {
      sessions.logout(s, ApiAuthDecorator.clientIp(ctx));
    }
    Cookie gone = Cookie.secureBuilder(ApiAuthDecorator.SESSION_COOKIE, "")
        .path("/").httpOnly(true).sameSite("Strict").secure(secureCookies).maxAge(0).build();
    return json(HttpStatus.OK, Json.object(), gone.toSetCookieHeader());
  }

  /** The logged-in user changes their password; their other sessions end. Sessions only. */
  @Post("/v1/auth/password")
  @Blocking
  public HttpResponse changePassword(ServiceRequestContext ctx, String body) {
    ApiAuthDecorator.caller(ctx);
    Session s = ApiAuthDecorator.session(ctx);
    if (s == null) {
      throw dev.tollgate.errors.TollgateException.forbidden(
          "only a logged-in user has a password to change; service accounts use tokens");
    }
    Json.Body b = Json.body(body);
    sessions.changePassword(s, b.string("currentPassword"), b.string("newPassword"), ApiAuthDecorator.clientIp(ctx));
    return Json.ok(Json.object());
  }

  @Get("/v1/auth/me")
  public HttpResponse me(ServiceRequestContext ctx) {
    Caller caller = ApiAuthDecorator.caller(ctx);
    ObjectNode out = Json.object().put("subject", caller.principal().subject().value());
    Session s = ApiAuthDecorator.session(ctx);
    if (s != null) {
      out.set("user", Views.user(s.user()));
      out.put("csrfToken", ApiAuthDecorator.csrfToken(ctx));
    }
    if (caller.principal().tokenId() != null) {
      out.put("serviceAccountId", caller.principal().id()).put("tokenId", caller.principal().tokenId());
    }
    out.set("organizations", Views.list("organizations", organizations.listMine(caller), Views::organization)
        .get("organizations"));
    return Json.ok(out);
  }

  private static HttpResponse json(HttpStatus status, ObjectNode body, String setCookie) {
    ResponseHeaders headers = ResponseHeaders.builder(status)
        .contentType(MediaType.JSON_UTF_8)
        .add(HttpHeaderNames.SET_COOKIE, setCookie)
        .add(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .build();
    return HttpResponse.of(headers, com.linecorp.armeria.common.HttpData.of(StandardCharsets.UTF_8, body.toString()));
  }
}
