package dev.tollgate.token;

import static java.util.Objects.requireNonNull;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.Principal;
import java.time.InstantSource;

/**
 * The one entry point for presented bearer credentials, shared by REST and gRPC: authenticates
 * and writes every refusal to the audit log with its reason category and, when recognized,
 * the token id - never the presented string.
 */
public final class BearerTokens {
  private final TokenAuthenticator authenticator;
  private final AuditLog audit;
  private final InstantSource clock;

  public BearerTokens(TokenAuthenticator authenticator, AuditLog audit, InstantSource clock) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The outcome, with refusals already audited. {@code channel} is e.g. "rest" or "grpc". */
  public TokenAuthenticator.Result authenticate(String presented, String clientIp, String channel) {
    return authenticate(presented, clientIp, channel, null);
  }

  /**
   * As above; a refusal of a token that names no organization itself is filed under
   * {@code targetOrganizationId} (the organization of the project the caller asked for), so
   * that organization's auditors see failed attempts at their data.
   */
  public TokenAuthenticator.Result authenticate(String presented, String clientIp, String channel,
      String targetOrganizationId) {
    TokenAuthenticator.Result r = authenticator.authenticate(presented);
    if (r instanceof TokenAuthenticator.Refused refused) {
      String org = refused.organizationId() != null ? refused.organizationId() : targetOrganizationId;
      audit.appendAsync(AuditEntry.of(org, clock.instant(), "anonymous", "auth.refused",
          refused.tokenId() == null ? null : "token:" + refused.tokenId(), clientIp,
          "reason=" + refused.reason().name().toLowerCase(java.util.Locale.ROOT) + " channel=" + channel));
    }
    return r;
  }

  public java.util.Optional<Principal> principal(String presented, String clientIp, String channel) {
    return authenticate(presented, clientIp, channel) instanceof TokenAuthenticator.Accepted a
        ? java.util.Optional.of(a.principal())
        : java.util.Optional.empty();
  }
}
