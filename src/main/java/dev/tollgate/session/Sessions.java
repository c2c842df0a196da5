package dev.tollgate.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.Passwords;
import dev.tollgate.crypto.Sha256;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Logs users in and out and resolves session cookies. Sessions last 12 hours; lookups are
 * cached for 10 seconds so a page's burst of API calls does not each hit the database. Logout
 * drops the cache entry at once on this node; other nodes sharing the database notice within
 * those 10 seconds, the same bound as for IAM changes. Expired rows are purged hourly.
 */
public final class Sessions {
  /** The single answer for any bad email/password combination. */
  public static final String BAD_CREDENTIALS = Passwords.BAD_CREDENTIALS;
  static final Duration LIFETIME = Duration.ofHours(12);

  /** A new session: the cookie value is returned only here. */
  public record Login(String sessionId, Session session) {
    @Override
    public String toString() {
      return "Login[" + session + "]";
    }
  }

  private final SessionStore store;
  private final Passwords passwords;
  private final LoginThrottle throttle;
  private final SecureRandom random;
  private final InstantSource clock;
  private final Cache<String, Optional<Session>> cache =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(10)).build();
  // A real hash to verify against when the email is unknown, so both failures cost the same.
  private final String dummyHash;

  public Sessions(SessionStore store, Passwords passwords, LoginThrottle throttle, SecureRandom random, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.passwords = requireNonNull(passwords, "passwords");
    this.throttle = requireNonNull(throttle, "throttle");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
    this.dummyHash = passwords.hash("not-a-real-password-" + random.nextLong());
  }

  public Login login(String email, String password, String clientIp) {
    String mail = email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    throttle.begin(mail, clientIp);
    Optional<SessionStore.UserCredentials> creds = mail.isEmpty() ? Optional.empty() : store.credentials(mail);
    boolean ok = passwords.verify(password, creds.map(SessionStore.UserCredentials::passwordHash).orElse(dummyHash))
        && creds.isPresent();
    if (!ok) {
      throw TollgateException.unauthenticated(BAD_CREDENTIALS);
    }
    throttle.succeeded(mail, clientIp);
    String sessionId = randomHex(32);
    Instant now = clock.instant();
    Session s = new Session(Sha256.hex(sessionId), creds.get().user(), randomHex(16), now.plus(LIFETIME));
    store.insert(s, now);
    return new Login(sessionId, s);
  }

  /** The live session of this cookie value, if any. */
  public Optional<Session> resolve(String sessionId) {
    if (sessionId == null || sessionId.length() != 64) {
      return Optional.empty();
    }
    String hash = Sha256.hex(sessionId);
    Optional<Session> s = cache.get(hash, store::find);
    Instant now = clock.instant();
    return s.filter(x -> x.expiresAt().isAfter(now));
  }

  /** Removes expired sessions from the database (run hourly); returns how many. */
  public int purgeExpired() {
    return store.deleteExpired(clock.instant());
  }

  public void logout(Session session) {
    store.delete(session.idSha256());
    cache.invalidate(session.idSha256());
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
