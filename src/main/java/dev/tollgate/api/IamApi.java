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
import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Names;
import dev.tollgate.iam.Permissions;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.Roles;

/** Permissions catalogue, roles, role bindings and "can I?". */
public final class IamApi {
  private final Roles roles;
  private final RoleBindings bindings;
  private final Authorizer authorizer;

  public IamApi(Roles roles, RoleBindings bindings, Authorizer authorizer) {
    this.roles = requireNonNull(roles, "roles");
    this.bindings = requireNonNull(bindings, "bindings");
    this.authorizer = requireNonNull(authorizer, "authorizer");
  }

  /** Public, like IAM.md that lists it: the catalogue is no secret, and no caller is asked for. */
  @Get("/v1/permissions")
  public HttpResponse permissions() {
    ObjectNode out = Json.object();
    ArrayNode a = out.putArray("permissions");
    Permissions.CATALOGUE.forEach(a::add);
    ArrayNode ext = out.putArray("extensions");
    Permissions.EXTENSIONS.forEach(p -> {
      a.add(p);
      ext.add(p);
    });
    return Json.ok(out);
  }

  @Get("/v1/organizations/{organization_id}/roles")
  public HttpResponse listRoles(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    return Json.ok(Views.list("roles", roles.list(ApiAuthDecorator.caller(ctx), orgId), Views::role));
  }

  @Post("/v1/organizations/{organization_id}/roles")
  @Blocking
  public HttpResponse createRole(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    Json.Body b = Json.body(body);
    var r = roles.create(ApiAuthDecorator.caller(ctx), orgId, b.requiredString("name"), b.strings("permissions"));
    return Json.created(Views.wrap("role", Views.role(r)));
  }

  @Delete("/v1/organizations/{organization_id}/roles/{role_id}")
  @Blocking
  public HttpResponse deleteRole(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("role_id") String roleId) {
    roles.delete(ApiAuthDecorator.caller(ctx), orgId, roleId);
    return Json.noContent();
  }

  @Get("/v1/organizations/{organization_id}/rolebindings")
  public HttpResponse listBindings(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    String projectId = ctx.queryParam("projectId");
    return Json.ok(Views.list("roleBindings", bindings.list(ApiAuthDecorator.caller(ctx), orgId, projectId), Views::binding));
  }

  @Post("/v1/organizations/{organization_id}/rolebindings")
  @Blocking
  public HttpResponse createBinding(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    Json.Body b = Json.body(body);
    var rb = bindings.create(ApiAuthDecorator.caller(ctx), orgId, b.requiredString("subject"), b.string("projectId"),
        b.string("entity"), b.requiredString("role"));
    return Json.created(Views.wrap("roleBinding", Views.binding(rb)));
  }

  @Delete("/v1/organizations/{organization_id}/rolebindings/{id}")
  @Blocking
  public HttpResponse deleteBinding(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("id") String id) {
    bindings.delete(ApiAuthDecorator.caller(ctx), orgId, id);
    return Json.noContent();
  }

  /**
   * "Can I?" for the caller itself. Unknown organizations simply answer false; with
   * {@code explain: true} the answer names the granting binding or the reason for no.
   */
  @Post("/api/v1alpha1/authorization/cani")
  public HttpResponse canI(ServiceRequestContext ctx, String body) {
    Caller caller = ApiAuthDecorator.caller(ctx);
    Json.Body b = Json.body(body);
    String orgId = b.requiredString("organizationId");
    String permission = b.requiredString("permission");
    if (!Permissions.isKnown(permission)) {
      throw TollgateException.invalid("permission", "unknown permission " + permission);
    }
    String projectId = b.string("projectId");
    if (projectId != null && !projectId.isBlank()) {
      projectId = Names.uuid("projectId", projectId).toString();
    } else {
      projectId = null;
    }
    String entity = bindings.entityToAsk(orgId, b.string("entity"));
    Authorizer.Decision d = authorizer.decide(caller.principal(), permission, orgId, projectId, entity);
    ObjectNode out = Json.object().put("allowed", d.allowed());
    if (Boolean.TRUE.equals(b.bool("explain"))) {
      ObjectNode ex = out.putObject("explanation").put("reason", d.reason());
      if (d.grantedBy() != null) {
        ex.set("roleBinding", Views.binding(d.grantedBy()));
      }
    }
    return Json.ok(out);
  }
}
