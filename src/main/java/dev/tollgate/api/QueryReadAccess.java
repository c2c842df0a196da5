package dev.tollgate.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.Cookie;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Permissions;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.Project;
import dev.tollgate.ingest.CallAuthorizer;
import dev.tollgate.ingest.IngestGrant;
import dev.tollgate.ingest.IngestRefusedException;
import dev.tollgate.query.QueryAccess;
import dev.tollgate.query.QueryGrant;
import dev.tollgate.session.Session;
import dev.tollgate.session.Sessions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code profile.read} for query calls. A bearer token goes through the same
 * {@link CallAuthorizer} as ingestion (service-account tokens, project-bound tokens, legacy
 * tokens, which carry no read), so refusals read the same; otherwise the console's session
 * cookie, whose {@code x-csrf-token} must match since every gRPC/unframed call is a POST.
 */
public final class QueryReadAccess implements QueryAccess {
  private final CallAuthorizer tokens;
  private final Sessions sessions;
  private final Authorizer authorizer;

  public QueryReadAccess(CallAuthorizer tokens, Sessions sessions, Authorizer authorizer) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.sessions = requireNonNull(sessions, "sessions");
    this.authorizer = requireNonNull(authorizer, "authorizer");
  }

  @Override
  public QueryGrant authorize(String authorization, String cookie, String csrf, String projectIdHeader,
      String clientIp) {
    String sessionId = sessionCookie(cookie);
    if (authorization != null || sessionId == null) {
      try {
        IngestGrant g = tokens.authorize(authorization, projectIdHeader, clientIp, Permissions.PROFILE_READ);
        return new QueryGrant(g.projectId(), g.organizationId(), g.sourceName());
      } catch (IngestRefusedException e) {
        throw e.status().asRuntimeException();
      }
    }
    Optional<Session> session = sessions.resolve(sessionId);
    if (session.isEmpty()) {
      throw Status.UNAUTHENTICATED.withDescription(ApiAuthDecorator.BAD_TOKEN).asRuntimeException();
    }
    if (!ApiAuthDecorator.csrfMatches(csrf, session.get().csrfSha256())) {
      throw Status.PERMISSION_DENIED.withDescription("missing or invalid CSRF token: send x-csrf-token")
          .asRuntimeException();
    }
    UUID projectId = projectId(projectIdHeader);
    Principal principal = Principal.user(session.get().user());
    try {
      Project p = authorizer.visibleProject(principal, projectId.toString());
      authorizer.require(principal, Permissions.PROFILE_READ, p.organizationId(), p.id(), null);
      return new QueryGrant(projectId, p.organizationId(), principal.subject().value());
    } catch (TollgateException e) {
      throw status(e).asRuntimeException();
    }
  }

  private static UUID projectId(String header) {
    if (header == null || header.isBlank()) {
      throw Status.INVALID_ARGUMENT.withDescription("missing projectid header: send 'projectid: <project id>'")
          .asRuntimeException();
    }
    try {
      return UUID.fromString(header.strip());
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription("projectid header must be a project UUID").asRuntimeException();
    }
  }

  private static Status status(TollgateException e) {
    return Status.fromCode(e.kind().grpcCode()).withDescription(e.getMessage());
  }

  private static String sessionCookie(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    for (Cookie c : Cookie.fromCookieHeader(header)) {
      if (c.name().equals(ApiAuthDecorator.SESSION_COOKIE)) {
        return c.value();
      }
    }
    return null;
  }
}
