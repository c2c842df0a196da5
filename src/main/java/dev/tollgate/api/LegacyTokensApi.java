package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import dev.tollgate.legacy.LegacyToken;
import dev.tollgate.legacy.LegacyTokens;
import dev.tollgate.legacy.Migration;
import dev.tollgate.legacy.SigningKey;

/**
 * Legacy project tokens and the migration assistant.
 *
 * <ul>
 *   <li>{@code GET /v1/projects/{project_id}/tokens} -> {@code {"tokens": [{id, name, createdAt, lastUsedAt, ...}]}}
 *   <li>{@code POST /v1/projects/{project_id}/tokens} {@code {name}} -> {@code {"token": {id, name, createdAt,
 *       token}}}, where the inner {@code token} is the JWT, shown this once
 *   <li>{@code DELETE /v1/projects/{project_id}/tokens/{token_id}} revokes
 *   <li>{@code POST /v1/projects/{project_id}/tokens/{token_id}/replace} {@code {serviceAccountName, role,
 *       tokenFile?}} -> the new service-account token (once) and the client's new flags
 *   <li>{@code GET /v1/organizations/{organization_id}/migration} -> the report
 *   <li>{@code GET /v1/legacy-tokens/keys} -> {@code {"keys": [JWK...]}}, public, active key first
 *   <li>{@code POST /v1/legacy-tokens/keys/rotate} -> {@code {"key": JWK}}, server owners only
 * </ul>
 */
public final class LegacyTokensApi {
  private static final String BASE = "/v1/projects/{project_id}/tokens";

  private final LegacyTokens legacyTokens;
  private final Migration migration;

  public LegacyTokensApi(LegacyTokens legacyTokens, Migration migration) {
    this.legacyTokens = requireNonNull(legacyTokens, "legacyTokens");
    this.migration = requireNonNull(migration, "migration");
  }

  @Get(BASE)
  @Blocking
  public HttpResponse list(ServiceRequestContext ctx, @Param("project_id") String projectId) {
    return Json.ok(Views.list("tokens", legacyTokens.list(ApiAuthDecorator.caller(ctx), projectId),
        LegacyTokensApi::token));
  }

  @Post(BASE)
  @Blocking
  public HttpResponse create(ServiceRequestContext ctx, @Param("project_id") String projectId, String body) {
    LegacyTokens.Created c = legacyTokens.create(ApiAuthDecorator.caller(ctx), projectId,
        Json.body(body).string("name"));
    return Json.created(Views.wrap("token", token(c.metadata()).put("token", c.token())));
  }

  @Delete(BASE + "/{token_id}")
  @Blocking
  public HttpResponse delete(ServiceRequestContext ctx, @Param("project_id") String projectId,
      @Param("token_id") String tokenId) {
    legacyTokens.delete(ApiAuthDecorator.caller(ctx), projectId, tokenId);
    return Json.noContent();
  }

  @Post(BASE + "/{token_id}/replace")
  @Blocking
  public HttpResponse replace(ServiceRequestContext ctx, @Param("project_id") String projectId,
      @Param("token_id") String tokenId, String body) {
    Json.Body b = Json.body(body);
    Migration.Replaced r = migration.replace(ApiAuthDecorator.caller(ctx), projectId, tokenId,
        b.requiredString("serviceAccountName"), b.requiredString("role"), b.string("tokenFile"));
    ObjectNode n = Json.object();
    n.set("legacyToken", token(r.legacy()));
    n.set("serviceAccount", Json.object().put("id", r.serviceAccount().id()).put("name", r.serviceAccount().name())
        .put("created", r.serviceAccountCreated()));
    n.set("roleBinding", Views.binding(r.binding()).put("created", r.bindingCreated()));
    n.set("token", ServiceAccountsApi.token(r.token().token()).put("token", r.token().secret()));
    n.put("projectId", r.project().id());
    n.put("role", r.client().systemRole().id());
    n.put("tokenFile", r.tokenFile());
    ArrayNode flags = n.putArray("flags");
    r.flags().forEach(flags::add);
    return Json.created(n);
  }

  @Get("/v1/organizations/{organization_id}/migration")
  @Blocking
  public HttpResponse report(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    Migration.Report report = migration.report(ApiAuthDecorator.caller(ctx), orgId);
    ObjectNode n = Json.object().put("organizationId", report.organization().id())
        .put("legacyTokensFrozen", report.organization().legacyTokensFrozen())
        .put("total", report.entries().size())
        .put("replaced", report.entries().stream().filter(e -> e.token().replacement() != null).count());
    ArrayNode a = n.putArray("tokens");
    for (Migration.Entry e : report.entries()) {
      ObjectNode t = token(e.token()).put("projectName", e.project().name())
          .put("callsLast24h", e.callsLast24h()).put("callsLast7d", e.callsLast7d());
      if (e.replacementAccount() != null) {
        ((ObjectNode) t.get("replacement")).put("serviceAccountName", e.replacementAccount().name());
      }
      a.add(t);
    }
    return Json.ok(n);
  }

  @Get("/v1/legacy-tokens/keys")
  public HttpResponse keys() {
    return Json.ok(Views.list("keys", legacyTokens.publicKeys(), LegacyTokensApi::jwk));
  }

  @Post("/v1/legacy-tokens/keys/rotate")
  @Blocking
  public HttpResponse rotate(ServiceRequestContext ctx) {
    return Json.ok(Views.wrap("key", jwk(legacyTokens.rotateKey(ApiAuthDecorator.caller(ctx)))));
  }

  static ObjectNode token(LegacyToken t) {
    ObjectNode n = Json.object().put("id", t.id()).put("name", t.name()).put("projectId", t.projectId())
        .put("createdAt", Json.time(t.createdAt())).put("createdBy", t.createdBy())
        .put("lastUsedAt", Json.time(t.lastUsedAt()));
    LegacyToken.Replacement r = t.replacement();
    if (r == null) {
      n.putNull("replacement");
    } else {
      n.set("replacement", Json.object().put("replacedAt", Json.time(r.at())).put("replacedBy", r.by())
          .put("serviceAccountId", r.serviceAccountId()).put("tokenId", r.tokenId())
          .put("role", "system:" + r.role()));
    }
    return n;
  }

  /** RFC 8037 OKP JWK of the public part. */
  static ObjectNode jwk(SigningKey k) {
    return Json.object().put("kty", "OKP").put("crv", "Ed25519").put("x", k.publicKey()).put("kid", k.id())
        .put("alg", "EdDSA").put("use", "sig").put("active", k.retiredAt() == null)
        .put("createdAt", Json.time(k.createdAt())).put("retiredAt", Json.time(k.retiredAt()));
  }
}
