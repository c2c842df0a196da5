package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Patch;
import com.linecorp.armeria.server.annotation.Post;
import dev.tollgate.iam.Members;
import dev.tollgate.iam.Names;
import dev.tollgate.iam.Organizations;
import dev.tollgate.iam.Projects;

/** Organizations, their projects and their members. */
public final class OrganizationsApi {
  private final Organizations organizations;
  private final Projects projects;
  private final Members members;
  private final dev.tollgate.iam.PasswordSetter passwordSetter;

  public OrganizationsApi(Organizations organizations, Projects projects, Members members,
      dev.tollgate.iam.PasswordSetter passwordSetter) {
    this.passwordSetter = requireNonNull(passwordSetter, "passwordSetter");
    this.organizations = requireNonNull(organizations, "organizations");
    this.projects = requireNonNull(projects, "projects");
    this.members = requireNonNull(members, "members");
  }

  @Get("/v1/organizations")
  public HttpResponse listOrganizations(ServiceRequestContext ctx) {
    return Json.ok(Views.list("organizations", organizations.listMine(ApiAuthDecorator.caller(ctx)), Views::organization));
  }

  @Post("/v1/organizations")
  @Blocking
  public HttpResponse createOrganization(ServiceRequestContext ctx, String body) {
    var o = organizations.create(ApiAuthDecorator.caller(ctx), Json.body(body).requiredString("name"));
    return Json.created(Views.wrap("organization", Views.organization(o)));
  }

  @Get("/v1/organizations/{organization_id}")
  public HttpResponse getOrganization(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    return Json.ok(Views.wrap("organization", Views.organization(organizations.get(ApiAuthDecorator.caller(ctx), orgId))));
  }

  @Patch("/v1/organizations/{organization_id}")
  @Blocking
  public HttpResponse updateOrganization(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    Json.Body b = Json.body(body);
    Long lifetime = b.number("maxTokenLifetimeSeconds");
    Boolean frozen = b.bool("legacyTokensFrozen");
    if (b.node().get("settings") != null && b.node().get("settings").isObject()) {
      Json.Body s = new Json.Body((com.fasterxml.jackson.databind.node.ObjectNode) b.node().get("settings"));
      lifetime = lifetime != null ? lifetime : s.number("maxTokenLifetimeSeconds");
      frozen = frozen != null ? frozen : s.bool("legacyTokensFrozen");
    }
    var o = organizations.update(ApiAuthDecorator.caller(ctx), orgId, b.string("name"), lifetime, frozen);
    return Json.ok(Views.wrap("organization", Views.organization(o)));
  }

  @Get("/v1/organizations/{organization_id}/projects")
  public HttpResponse listProjects(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    return Json.ok(Views.list("projects", projects.list(ApiAuthDecorator.caller(ctx), orgId), Views::project));
  }

  @Post("/v1/organizations/{organization_id}/projects")
  @Blocking
  public HttpResponse createProject(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    var p = projects.create(ApiAuthDecorator.caller(ctx), orgId, Json.body(body).string("name"));
    return Json.created(Views.wrap("project", Views.project(p)));
  }

  @Get("/v1/projects/{project_id}")
  public HttpResponse getProject(ServiceRequestContext ctx, @Param("project_id") String projectId) {
    return Json.ok(Views.wrap("project", Views.project(projects.get(ApiAuthDecorator.caller(ctx), projectId))));
  }

  @Patch("/v1/projects/{project_id}")
  @Blocking
  public HttpResponse renameProject(ServiceRequestContext ctx, @Param("project_id") String projectId, String body) {
    var p = projects.rename(ApiAuthDecorator.caller(ctx), projectId, Json.body(body).string("name"));
    return Json.ok(Views.wrap("project", Views.project(p)));
  }

  @Delete("/v1/projects/{project_id}")
  @Blocking
  public HttpResponse deleteProject(ServiceRequestContext ctx, @Param("project_id") String projectId) {
    projects.delete(ApiAuthDecorator.caller(ctx), projectId);
    return Json.noContent();
  }

  @Get("/v1/organizations/{organization_id}/users")
  @Blocking
  public HttpResponse listMembers(ServiceRequestContext ctx, @Param("organization_id") String orgId) {
    return Json.ok(Views.list("users", members.list(ApiAuthDecorator.caller(ctx), orgId), OrganizationsApi::member));
  }

  @Post("/v1/organizations/{organization_id}/users")
  @Blocking
  public HttpResponse addMember(ServiceRequestContext ctx, @Param("organization_id") String orgId, String body) {
    Json.Body b = Json.body(body);
    var c = members.add(ApiAuthDecorator.caller(ctx), orgId, b.requiredString("email"), b.string("password"),
        b.requiredString("role"), b.string("projectId"));
    // The same answer whether the email has an account or not: nothing here may tell.
    var invite = InvitesApi.view(c.invite()).put("token", c.code()).put("link", "/#/invite/" + c.code());
    return Json.respond(com.linecorp.armeria.common.HttpStatus.OK, Json.object().put("email", Names.email(b.string("email")))
        .set("invite", invite));
  }

  @Delete("/v1/organizations/{organization_id}/users/{user_id}")
  @Blocking
  public HttpResponse removeMember(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("user_id") String userId) {
    members.remove(ApiAuthDecorator.caller(ctx), orgId, userId);
    return Json.noContent();
  }

  /** A new random password for a member, shown once; all their sessions end. */
  @Post("/v1/organizations/{organization_id}/users/{user_id}/password/reset")
  @Blocking
  public HttpResponse resetPassword(ServiceRequestContext ctx, @Param("organization_id") String orgId,
      @Param("user_id") String userId) {
    Members.Reset r = members.resetPassword(ApiAuthDecorator.caller(ctx), orgId, userId, passwordSetter);
    var out = Json.object();
    out.set("user", Views.user(r.user()));
    out.put("password", r.password()).put("sessionsEnded", r.sessionsEnded());
    return Json.ok(out);
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode member(Members.Member m) {
    var n = Views.user(m.user());
    var a = n.putArray("roleBindings");
    m.bindings().forEach(b -> a.add(Views.binding(b)));
    return n;
  }
}
