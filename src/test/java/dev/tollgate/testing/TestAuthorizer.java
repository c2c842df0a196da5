package dev.tollgate.testing;

import dev.tollgate.ingest.CallAuthorizer;
import dev.tollgate.ingest.IngestGrant;
import dev.tollgate.ingest.IngestRefusedException;
import io.grpc.Status;
import java.util.UUID;

/**
 * A leaf authorizer for tests. Tokens: {@code good-<project>} grants everything on that project;
 * {@code profiles-<project>} grants only {@code profile.write}; {@code boom} makes the authorizer
 * throw (to test failing closed); anything else is unknown.
 */
public final class TestAuthorizer implements CallAuthorizer {
  @Override
  public IngestGrant authorize(String authorization, String projectIdHeader, String clientIp, String permission) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      throw new IngestRefusedException(Status.UNAUTHENTICATED.withDescription("missing bearer token"));
    }
    String token = authorization.substring("Bearer ".length()).strip();
    if (token.equals("boom")) {
      throw new IllegalStateException("token store unavailable for " + token);
    }
    boolean onlyProfiles = token.startsWith("profiles-");
    if (!token.startsWith("good-") && !onlyProfiles) {
      throw new IngestRefusedException(Status.UNAUTHENTICATED.withDescription("unknown token"));
    }
    UUID project;
    try {
      project = UUID.fromString(token.substring(token.indexOf('-') + 1));
    } catch (IllegalArgumentException e) {
      throw new IngestRefusedException(Status.UNAUTHENTICATED.withDescription("unknown token"));
    }
    String tokenId = "tok-" + (onlyProfiles ? "p-" : "g-") + project.toString().substring(0, 8);
    if (projectIdHeader == null) {
      throw new IngestRefusedException(Status.INVALID_ARGUMENT.withDescription("the projectid header is required"),
          null, tokenId);
    }
    if (!projectIdHeader.equals(project.toString())) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription("missing " + permission
          + " on the project"), parse(projectIdHeader), tokenId);
    }
    if (onlyProfiles && !permission.equals(PROFILE_WRITE)) {
      throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription("missing " + permission
          + " on the project"), project, tokenId);
    }
    return new IngestGrant(project, "org-test", tokenId, "serviceaccount:" + (onlyProfiles ? "scraper" : "agent"));
  }

  private static UUID parse(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
