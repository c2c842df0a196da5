package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.ServiceRequestContext;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Permissions;
import dev.tollgate.iam.Project;
import dev.tollgate.ingest.ProjectReadAccess;
import java.util.UUID;

/** {@code profile.read} on the project for the data-arriving routes: 401, 404 or 403 like every REST call. */
public final class ProjectReadGuard implements ProjectReadAccess {
  private final Authorizer authorizer;

  public ProjectReadGuard(Authorizer authorizer) {
    this.authorizer = requireNonNull(authorizer, "authorizer");
  }

  @Override
  public void requireRead(ServiceRequestContext ctx, UUID projectId) {
    Caller caller = ApiAuthDecorator.caller(ctx);
    Project p = authorizer.visibleProject(caller.principal(), projectId.toString());
    authorizer.require(caller.principal(), Permissions.PROFILE_READ, p.organizationId(), p.id(), null);
  }
}
