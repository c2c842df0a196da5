package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Invite;
import dev.tollgate.iam.Invites;

/** Invites per IAM.md; the two {@code /v1/invites/{token}} routes are for the invited person (no login). */
public final class InvitesApi {
  private static final String BASE = "/v1/organizations/{organization_id}/invites";

  private final Invites invites;
  private final IamState state;

  public InvitesApi(Invites invites, IamState state) {
    this.invites = requireNonNull(invites, "invites");
    this.state = requireNonNull(state, "state");
  }

  @Get(BASE)
  @Blocking
  public HttpResponse list(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    return Json.ok(Views.list("invites", invites.list(ApiAuthDecorator.caller(ctx), orgId), InvitesApi::view));
  }

  @Post(BASE)
  @Blocking
  public HttpResponse create(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    Json.Body b = Json.body(body);
    Invites.Created c = invites.create(ApiAuthDecorator.caller(ctx), orgId, b.requiredString("role"), b.string("projectId"),
        b.time("expiresAt"), b.string("email"));
    ObjectNode v = view(c.invite()).put("token", c.code()).put("link", "/#/invite/" + c.code());
    return Json.created(Views.wrap("invite", v));
  }

  @Post(BASE + "/{id}/expire")
  @Blocking
  public HttpResponse expire(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    invites.expire(ApiAuthDecorator.caller(ctx), orgId, id);
    return Json.noContent();
  }

  @Get(BASE + "/{id}/acceptances")
  @Blocking
  public HttpResponse acceptances(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    return Json.ok(Views.list("acceptances", invites.acceptances(ApiAuthDecorator.caller(ctx), orgId, id),
        a -> Json.object().put("userId", a.userId()).put("email", a.email()).put("acceptedAt", Json.time(a.acceptedAt()))));
  }

  @Get("/v1/invites/{token}")
  @Blocking
  public HttpResponse show(@Param("token") String token) {
    Invite i = invites.lookup(token);
    ObjectNode v = Json.object().put("organizationId", i.organizationId())
        .put("organizationName", state.current().organization(i.organizationId()).map(o -> o.name()).orElse(""))
        .put("role", i.roleId()).put("projectId", i.projectId()).put("expiresAt", Json.time(i.expiresAt()))
        .put("email", i.email());
    return Json.ok(Views.wrap("invite", v));
  }

  @Post("/v1/invites/{token}/accept")
  @Blocking
  public HttpResponse accept(ServiceRequestContext ctx, @Param("token") String token, String body) {
    Json.Body b = Json.body(body);
    var user = invites.accept(token, b.requiredString("email"), b.requiredString("password"), ApiAuthDecorator.clientIp(ctx));
    return Json.ok(Views.wrap("user", Views.user(user)));
  }

  static ObjectNode view(Invite i) {
    return Json.object().put("id", i.id()).put("organizationId", i.organizationId()).put("roleId", i.roleId())
        .put("role", i.roleId()).put("projectId", i.projectId()).put("createdBy", i.createdBy())
        .put("expiresAt", Json.time(i.expiresAt())).put("createdAt", Json.time(i.createdAt()))
        .put("expiredAt", Json.time(i.expiredAt())).put("expiredBy", i.expiredBy())
        .put("acceptanceCount", i.acceptanceCount()).put("email", i.email());
  }
}
