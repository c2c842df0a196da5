package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Project;
import dev.tollgate.ingest.CallAuthorizer;
import dev.tollgate.ingest.IngestGrant;
import dev.tollgate.ingest.IngestRefusedException;
import dev.tollgate.ingest.TokenCallAuthorizer;
import io.grpc.Status;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Legacy tokens on the ingestion path: a valid signature by a known key, a known jti whose
 * project is the token's and still exists, and claims exactly as issued (a holder of the key
 * re-signing the jti with another {@code iat} or {@code iss} is refused). The project comes from the token; a
 * {@code projectid} header is optional and must name the same project. Grants
 * {@code profile.write} and {@code debuginfo.write} in that project only.
 *
 * <p>Reads only memory ({@link LegacyState}, the IAM snapshot); counts the use in
 * {@link LegacyUsage}. Every refusal of the token itself is UNAUTHENTICATED with one message,
 * whatever the reason; the reason goes to the audit log only. Fails closed: an unexpected
 * exception is that same refusal plus a WARN.
 */
public final class LegacyCredentials implements TokenCallAuthorizer.ProjectCredentials {
  /** The one answer to every bad token; the same words as for a bad service-account token. */
  public static final String REFUSED = dev.tollgate.token.TokenAuthenticator.REFUSED_MESSAGE;

  private static final Logger log = LoggerFactory.getLogger(LegacyCredentials.class);

  private final LegacyState state;
  private final IamState iam;
  private final LegacyUsage usage;
  private final AuditLog audit;
  private final InstantSource clock;

  public LegacyCredentials(LegacyState state, IamState iam, LegacyUsage usage, AuditLog audit, InstantSource clock) {
    this.state = requireNonNull(state, "state");
    this.iam = requireNonNull(iam, "iam");
    this.usage = requireNonNull(usage, "usage");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Looks like a JWT (has a dot) or is too long for anything we issue: then it is ours to judge. */
  static boolean isOurs(String credential) {
    return credential.indexOf('.') >= 0 || credential.length() > LegacyJwt.MAX_LENGTH;
  }

  @Override
  public Optional<IngestGrant> authorize(String credential, String projectIdHeader, String clientIp,
      String permission) {
    if (credential == null || !isOurs(credential)) {
      return Optional.empty();
    }
    try {
      return Optional.of(check(credential, projectIdHeader, clientIp, permission));
    } catch (IngestRefusedException e) {
      throw e;
    } catch (dev.tollgate.errors.TollgateException e) {
      if (e.kind() == dev.tollgate.errors.TollgateException.Kind.UNAVAILABLE) {
        throw e; // the access rules cannot be confirmed current: UNAVAILABLE, not a refusal
      }
      log.warn("legacy token check failed; refusing", e);
      throw refused(null, "error", clientIp);
    } catch (RuntimeException e) {
      log.warn("legacy token check failed; refusing", e);
      throw refused(null, "error", clientIp);
    }
  }

  private IngestGrant check(String credential, String projectIdHeader, String clientIp, String permission) {
    // First: confirms (or refuses) freshness before the legacy snapshot is read, which the same
    // confirmation reloads.
    dev.tollgate.iam.IamSnapshot iamNow = iam.current();
    LegacyState.Snapshot s = state.current();
    LegacyJwt.Claims claims = LegacyJwt.verify(credential, s.verificationKeys())
        .orElseThrow(() -> refused(null, "malformed_or_bad_signature", clientIp));
    LegacyToken token = s.token(claims.jti())
        .orElseThrow(() -> refused(null, "unknown_or_revoked", clientIp));
    Project project = iamNow.project(token.projectId()).orElse(null);
    if (!token.projectId().equals(claims.projectId()) || project == null) {
      throw refused(token, "project_mismatch", clientIp);
    }
    // A holder of the signing key could re-sign the jti with another iat or iss: refused too.
    if (!token.issuedWith(claims)) {
      throw refused(token, "claims_differ", clientIp);
    }
    UUID projectId = UUID.fromString(project.id());
    if (projectIdHeader != null && !projectIdHeader.isBlank()
        && !projectIdHeader.strip().equalsIgnoreCase(project.id())) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription(
          "this legacy token belongs to another project than the projectid header names"), null, token.id());
    }
    if (!CallAuthorizer.PROFILE_WRITE.equals(permission) && !CallAuthorizer.DEBUGINFO_WRITE.equals(permission)) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription(
          "permission denied: missing permission " + permission + " in project " + projectId), projectId, token.id());
    }
    usage.record(token.id(), clock.instant());
    return new IngestGrant(projectId, project.organizationId(), token.id(), "legacy-token:" + token.name());
  }

  private IngestRefusedException refused(LegacyToken token, String reason, String clientIp) {
    Instant now = clock.instant();
    String org = token == null ? null
        : iam.current().project(token.projectId()).map(Project::organizationId).orElse(null);
    audit.appendAsync(AuditEntry.of(org, now, "anonymous", "auth.refused",
        token == null ? null : "legacytoken:" + token.id(), clientIp, "reason=" + reason + " channel=grpc kind=legacy"));
    return new IngestRefusedException(Status.UNAUTHENTICATED.withDescription(REFUSED), null,
        token == null ? null : token.id());
  }
}
