package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccountToken;
import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.token.Tokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Service accounts, their tokens and their bindings, at IAM.md's paths (plus disable/enable). */
public final class ServiceAccountsApi {
  private static final String BASE = "/v1/organizations/{organization_id}/serviceaccounts";

  private final ServiceAccounts serviceAccounts;
  private final Tokens tokens;
  private final RoleBindings bindings;
  private final IamState state;

  public ServiceAccountsApi(ServiceAccounts serviceAccounts, Tokens tokens, RoleBindings bindings, IamState state) {
    this.serviceAccounts = requireNonNull(serviceAccounts, "serviceAccounts");
    this.tokens = requireNonNull(tokens, "tokens");
    this.bindings = requireNonNull(bindings, "bindings");
    this.state = requireNonNull(state, "state");
  }

  /**
   * The accounts, each with the last use of any of its tokens ({@code lastUsedAt}) and, for a
   * caller who may list role bindings, its {@code roles} ({@code [{role, projectId}]}), so pickers
   * can show what a token would carry; and the organization's {@code quota} ({@code {used, max}}).
   */
  @Get(BASE)
  @Blocking
  public HttpResponse list(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    Caller caller = ApiAuthDecorator.caller(ctx);
    var accounts = serviceAccounts.list(caller, orgId);
    java.util.Map<String, java.util.List<dev.tollgate.iam.RoleBinding>> bySubject = new java.util.HashMap<>();
    boolean withRoles;
    try {
      bindings.list(caller, orgId, null).forEach(b -> bySubject.computeIfAbsent(b.subject(), k -> new java.util.ArrayList<>()).add(b));
      withRoles = true;
    } catch (dev.tollgate.errors.TollgateException e) {
      withRoles = false; // no rolebinding.list: the accounts without their roles
    }
    boolean roles = withRoles;
    Map<String, Instant> lastUsed = tokens.lastUsedOfAccounts(accounts);
    ObjectNode out = Views.list("serviceAccounts", accounts, sa -> {
      ObjectNode v = view(sa, lastUsed);
      if (roles) {
        var a = v.putArray("roles");
        bySubject.getOrDefault(sa.subject().value(), java.util.List.of())
            .forEach(b -> a.addObject().put("role", b.role()).put("projectId", b.projectId()));
      }
      return v;
    });
    out.putObject("quota").put("used", accounts.size()).put("max", ServiceAccounts.MAX_PER_ORGANIZATION);
    return Json.ok(out);
  }

  @Post(BASE)
  @Blocking
  public HttpResponse create(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    ServiceAccount sa = serviceAccounts.create(ApiAuthDecorator.caller(ctx), orgId, Json.body(body).string("name"));
    return Json.created(Views.wrap("serviceAccount", view(sa)));
  }

  @Get(BASE + "/{id}")
  @Blocking
  public HttpResponse get(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    return Json.ok(Views.wrap("serviceAccount", view(serviceAccounts.get(ApiAuthDecorator.caller(ctx), orgId, id))));
  }

  @Delete(BASE + "/{id}")
  @Blocking
  public HttpResponse delete(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    serviceAccounts.delete(ApiAuthDecorator.caller(ctx), orgId, id);
    return Json.noContent();
  }

  @Post(BASE + "/{id}/disable")
  @Blocking
  public HttpResponse disable(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    return Json.ok(Views.wrap("serviceAccount",
        view(serviceAccounts.setDisabled(ApiAuthDecorator.caller(ctx), orgId, id, true))));
  }

  @Post(BASE + "/{id}/enable")
  @Blocking
  public HttpResponse enable(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    return Json.ok(Views.wrap("serviceAccount",
        view(serviceAccounts.setDisabled(ApiAuthDecorator.caller(ctx), orgId, id, false))));
  }

  @Get(BASE + "/{id}/rolebindings")
  public HttpResponse roleBindings(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    Caller caller = ApiAuthDecorator.caller(ctx);
    // rolebinding.list alone, as docs/api.md says (it lists every binding anyway); checked before
    // the look-up, so that whoever lacks it does not learn which accounts exist.
    bindings.requireList(caller, orgId);
    ServiceAccount sa = serviceAccounts.find(orgId, id);
    return Json.ok(Views.list("roleBindings", bindings.listForSubject(caller, orgId, sa.subject()), Views::binding));
  }

  @Get(BASE + "/{id}/tokens")
  @Blocking
  public HttpResponse listTokens(ServiceRequestContext ctx, @Param("organization_id") String orgId, @Param("id") String id) {
    return Json.ok(Views.list("tokens", tokens.list(ApiAuthDecorator.caller(ctx), orgId, id), ServiceAccountsApi::token));
  }

  @Post(BASE + "/{id}/tokens")
  @Blocking
  public HttpResponse createToken(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("id") String id, String body) {
    Json.Body b = Json.body(body);
    Tokens.Created created = tokens.create(ApiAuthDecorator.caller(ctx), orgId, id, b.string("name"),
        b.string("projectId"), b.time("expiresAt"));
    ObjectNode t = token(created.token()).put("token", created.secret());
    return Json.created(Views.wrap("token", t));
  }

  @Delete(BASE + "/{id}/tokens/{token_id}")
  @Blocking
  public HttpResponse deleteToken(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("id") String id, @Param("token_id") String tokenId) {
    tokens.delete(ApiAuthDecorator.caller(ctx), orgId, id, tokenId);
    return Json.noContent();
  }

  /** The account with the newest use of its tokens known to any server. */
  private ObjectNode view(ServiceAccount sa) {
    return view(sa, tokens.lastUsedOfAccounts(List.of(sa)));
  }

  private ObjectNode view(ServiceAccount sa, Map<String, Instant> lastUsedByAccount) {
    return Json.object().put("id", sa.id()).put("name", sa.name()).put("organizationId", sa.organizationId())
        .put("createdAt", Json.time(sa.createdAt())).put("createdBy", sa.createdBy()).put("disabled", sa.disabled())
        .put("tokenCount", state.current().tokensOf(sa.id()).size())
        .put("lastUsedAt", Json.time(lastUsedByAccount.get(sa.id())));
  }

  static ObjectNode token(ServiceAccountToken t) {
    return Json.object().put("id", t.id()).put("name", t.name()).put("serviceAccountId", t.serviceAccountId())
        .put("createdAt", Json.time(t.createdAt())).put("lastUsedAt", Json.time(t.lastUsedAt()))
        .put("createdBy", t.createdBy()).put("expiresAt", Json.time(t.expiresAt())).put("projectId", t.projectId());
  }
}
