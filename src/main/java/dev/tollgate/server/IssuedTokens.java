package dev.tollgate.server;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.IamState;
import dev.tollgate.iam.ServiceAccountToken;
import dev.tollgate.ingest.SourceTokens;
import dev.tollgate.legacy.LegacyState;

/** A source's token exists when it is a service-account token or a legacy token of the current state. */
final class IssuedTokens implements SourceTokens {
  private final IamState iam;
  private final LegacyState legacy;

  IssuedTokens(IamState iam, LegacyState legacy) {
    this.iam = requireNonNull(iam, "iam");
    this.legacy = requireNonNull(legacy, "legacy");
  }

  @Override
  public State state(String tokenId) {
    if (legacy.current().token(tokenId).isPresent()) {
      return State.ACTIVE;
    }
    for (ServiceAccountToken t : iam.current().data().tokens()) {
      if (t.id().equals(tokenId)) {
        return State.ACTIVE;
      }
    }
    return State.DELETED;
  }

  @Override
  public String name(String tokenId) {
    var legacyToken = legacy.current().token(tokenId);
    if (legacyToken.isPresent()) {
      return "legacy-token:" + legacyToken.get().name();
    }
    var snapshot = iam.current();
    for (ServiceAccountToken t : snapshot.data().tokens()) {
      if (t.id().equals(tokenId)) {
        // as TokenCallAuthorizer names the grant: the subject, then the token's name
        return snapshot.serviceAccount(t.serviceAccountId()).map(sa -> "serviceaccount:" + sa.name() + " / " + t.name())
            .orElse(null);
      }
    }
    return null;
  }
}
