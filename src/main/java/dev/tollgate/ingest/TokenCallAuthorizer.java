package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.Project;
import dev.tollgate.token.BearerTokens;
import dev.tollgate.token.TokenAuthenticator;
import dev.tollgate.token.TokenFormat;
import io.grpc.Status;
import java.util.Optional;
import java.util.UUID;

/**
 * The real {@link CallAuthorizer}: {@code psc_v1_} service-account tokens through
 * {@link BearerTokens}, the project from the {@code projectid} header (or, when the header is
 * absent, from a project-bound token), the permission from the role bindings. Other credential kinds (legacy project JWTs) plug in as a
 * {@link ProjectCredentials} consulted for anything that is not a {@code psc_v1_} token.
 *
 * <p>Messages name the missing header or permission and never echo the token; every unknown
 * token gets the same message.
 */
public final class TokenCallAuthorizer implements CallAuthorizer {
  static final String BAD_TOKEN = dev.tollgate.token.TokenAuthenticator.REFUSED_MESSAGE;
  static final String MISSING_PROJECT = "missing projectid header: this token is not bound to a project, so send"
      + " 'projectid: <project id>' (e.g. --remote-store-grpc-headers=projectID=<id>), or use a token bound to one"
      + " project, which needs no header";

  /** A credential that carries its own project (e.g. a legacy project token). */
  public interface ProjectCredentials {
    /**
     * The grant for this credential, empty when it is not of this kind at all; throws
     * {@link IngestRefusedException} when it is of this kind but refused.
     */
    Optional<IngestGrant> authorize(String credential, String projectIdHeader, String clientIp, String permission);
  }

  private final BearerTokens tokens;
  private final IamState state;
  private final Authorizer authorizer;
  private final ProjectCredentials others;

  public TokenCallAuthorizer(BearerTokens tokens, IamState state, Authorizer authorizer, ProjectCredentials others) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.others = requireNonNull(others, "others");
  }

  @Override
  public IngestGrant authorize(String authorization, String projectIdHeader, String clientIp, String permission) {
    // Refusals before the token is known are not the named project's (anyone can name it): they
    // are counted apart, under the claim (tollgate_ingest_unauthenticated_refusals_total).
    UUID named = existingProject(projectIdHeader);
    if (authorization == null || authorization.isBlank()) {
      throw IngestRefusedException.unauthenticated(
          "missing authorization header: send 'authorization: Bearer <token>'", named);
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw IngestRefusedException.unauthenticated("malformed authorization header: expected 'Bearer <token>'", named);
    }
    // parca-push reads token files untrimmed: a trailing newline may arrive here.
    String credential = authorization.substring(7).strip();
    if (!credential.startsWith(TokenFormat.PREFIX)) {
      Optional<IngestGrant> other = others.authorize(credential, projectIdHeader, clientIp, permission);
      if (other.isPresent()) {
        return other.get();
      }
    }
    String namedOrg = named == null ? null
        : state.current().project(named.toString()).map(Project::organizationId).orElse(null);
    TokenAuthenticator.Result result = tokens.authenticate(credential, clientIp, "grpc", namedOrg);
    if (!(result instanceof TokenAuthenticator.Accepted accepted)) {
      throw IngestRefusedException.unauthenticated(BAD_TOKEN, named);
    }
    Principal principal = accepted.principal();
    String tokenId = accepted.token().id();
    String org = principal.organizationId();
    boolean noHeader = projectIdHeader == null || projectIdHeader.isBlank();
    if (noHeader && principal.tokenProjectId() == null) {
      throw new IngestRefusedException(Status.INVALID_ARGUMENT.withDescription(MISSING_PROJECT), null, tokenId);
    }
    UUID projectId;
    try {
      // A project-bound token names its project itself: clients that cannot send headers
      // (parca-push) write with it alone.
      projectId = UUID.fromString(noHeader ? principal.tokenProjectId() : projectIdHeader.strip());
    } catch (IllegalArgumentException e) {
      throw new IngestRefusedException(Status.INVALID_ARGUMENT.withDescription(
          "projectid header must be a project UUID"), null, tokenId);
    }
    Optional<Project> project = state.current().project(projectId.toString());
    if (project.isEmpty() || !project.get().organizationId().equals(org)) {
      // Same answer for "does not exist" and "belongs to another organization".
      throw new IngestRefusedException(Status.NOT_FOUND.withDescription(
          "project " + projectId + " not found in this token's organization"), null, tokenId);
    }
    if (principal.tokenProjectId() != null && !principal.tokenProjectId().equals(projectId.toString())) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription(
          "permission denied: missing permission " + permission + " in project " + projectId
              + " (this token is bound to another project)"), projectId, tokenId);
    }
    if (!authorizer.allowed(principal, permission, org, projectId.toString())) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription(
          "permission denied: missing permission " + permission + " in project " + projectId), projectId, tokenId);
    }
    return new IngestGrant(projectId, org, tokenId, principal.subject().value() + " / " + accepted.token().name());
  }

  private UUID existingProject(String header) {
    if (header == null) {
      return null;
    }
    try {
      UUID id = UUID.fromString(header.strip());
      return state.current().project(id.toString()).isPresent() ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
