package dev.tollgate.token;

import dev.tollgate.crypto.Sha256;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccountToken;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a presented {@code psc_v1_} token into a principal: format, checksum, SHA-256,
 * in-memory lookup, account enabled, not expired. No SQL for known tokens.
 *
 * <p>A well-formed token the snapshot does not know may have been created on another node, so
 * it is looked up in the store - but only through a bounded negative cache and a global rate
 * limit, so a flood of random tokens cannot reach the database.
 */
public final class TokenAuthenticator {
  /**
   * The one answer every refused credential gets, on REST and gRPC, service-account and legacy
   * tokens alike: it tells nothing about why.
   */
  public static final String REFUSED_MESSAGE = "invalid or unknown token";

  /** Why a token was refused; audited, never shown to the caller. */
  public enum Reason { MALFORMED, BAD_CHECKSUM, UNKNOWN, EXPIRED, DISABLED }

  /** The outcome of one authentication. */
  public sealed interface Result permits Accepted, Refused {}

  public record Accepted(Principal principal, ServiceAccount serviceAccount, ServiceAccountToken token) implements Result {}

  /** {@code tokenId} and {@code organizationId} are set when the token was recognized. */
  public record Refused(Reason reason, String tokenId, String organizationId) implements Result {}

  private static final int STORE_LOOKUPS_PER_SECOND = 20;

  private final IamState state;
  private final TokenStore store;
  private final LastUsedTracker lastUsed;
  private final InstantSource clock;
  private final Cache<String, Boolean> unknown =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();
  private final AtomicLong storeLookups = new AtomicLong();
  private long windowSecond;
  private int lookupsInWindow;

  public TokenAuthenticator(IamState state, TokenStore store, LastUsedTracker lastUsed, InstantSource clock) {
    this.state = requireNonNull(state, "state");
    this.store = requireNonNull(store, "store");
    this.lastUsed = requireNonNull(lastUsed, "lastUsed");
    this.clock = requireNonNull(clock, "clock");
  }

  public Result authenticate(String presented) {
    switch (TokenFormat.check(presented)) {
      case MALFORMED:
        return new Refused(Reason.MALFORMED, null, null);
      case BAD_CHECKSUM:
        return new Refused(Reason.BAD_CHECKSUM, null, null);
      default:
        break;
    }
    String sha = Sha256.hex(presented);
    IamSnapshot current = state.current();
    Optional<ServiceAccountToken> token = current.tokenBySha256(sha);
    if (token.isEmpty() && mayExistElsewhere(sha)) {
      current = state.reload();
      token = current.tokenBySha256(sha);
    }
    IamSnapshot s = current;
    if (token.isEmpty()) {
      return new Refused(Reason.UNKNOWN, null, null);
    }
    ServiceAccountToken t = token.get();
    Optional<ServiceAccount> sa = s.serviceAccount(t.serviceAccountId());
    Optional<Organization> org = sa.flatMap(a -> s.organization(a.organizationId()));
    if (sa.isEmpty() || org.isEmpty()) {
      return new Refused(Reason.UNKNOWN, t.id(), null);
    }
    if (sa.get().disabled()) {
      return new Refused(Reason.DISABLED, t.id(), org.get().id());
    }
    Instant now = clock.instant();
    if (t.expiresAt() != null && !now.isBefore(t.expiresAt())) {
      return new Refused(Reason.EXPIRED, t.id(), org.get().id());
    }
    lastUsed.record(t.id(), now);
    return new Accepted(Principal.serviceAccount(sa.get(), t), sa.get(), t);
  }

  /** How many times the store was asked (tests check that bad tokens never get there). */
  public long storeLookups() {
    return storeLookups.get();
  }

  private boolean mayExistElsewhere(String sha) {
    if (unknown.getIfPresent(sha) != null || !takeLookupPermit()) {
      return false;
    }
    storeLookups.incrementAndGet();
    boolean exists = store.existsBySha256(sha);
    if (!exists) {
      unknown.put(sha, Boolean.TRUE);
    }
    return exists;
  }

  private synchronized boolean takeLookupPermit() {
    long second = clock.millis() / 1000;
    if (second != windowSecond) {
      windowSecond = second;
      lookupsInWindow = 0;
    }
    return ++lookupsInWindow <= STORE_LOOKUPS_PER_SECOND;
  }

  /** Forgets negative answers, e.g. after this node created a token. */
  public void clearNegativeCache() {
    unknown.invalidateAll();
  }
}
