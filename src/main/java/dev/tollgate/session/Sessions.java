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
import java.util.List;
import java.util.Optional;

/**
 * Logs users in and out and resolves session cookies. Sessions last 12 hours; lookups are
 * cached for 10 seconds so a page's burst of API calls does not each hit the database. Logout
 * drops the cache entry at once on this node; a revocation also raises the IAM version, and the
 * other nodes sharing a PostgreSQL database drop their caches when they apply it
 * ({@link #forgetCached()}). Expired rows are purged hourly.
 */
public final class Sessions implements dev.tollgate.iam.PasswordSetter {
  /** The single answer for any bad email/password combination. */
  public static final String BAD_CREDENTIALS = Passwords.BAD_CREDENTIALS;
  static final Duration LIFETIME = Duration.ofHours(12);

  /** A new session: the cookie value is returned only here. */
  public record Login(String sessionId, Session session) {
    /** The CSRF token to send with the session's state-changing calls (only its hash is stored). */
    public String csrfToken() {
      return CsrfTokens.forSession(sessionId);
    }

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
  private final SessionEvents events;
  private final Cache<String, Optional<Session>> cache =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(10)).build();
  // A real hash to verify against when the email is unknown, so both failures cost the same.
  private final String dummyHash;

  public Sessions(SessionStore store, Passwords passwords, LoginThrottle throttle, SecureRandom random, InstantSource clock) {
    this(store, passwords, throttle, random, clock, SessionEvents.NONE);
  }

  /** With {@code events} told of every log-in, failed log-in, log-out and password change. */
  public Sessions(SessionStore store, Passwords passwords, LoginThrottle throttle, SecureRandom random, InstantSource clock,
      SessionEvents events) {
    this.events = requireNonNull(events, "events");
    this.store = requireNonNull(store, "store");
    this.passwords = requireNonNull(passwords, "passwords");
    this.throttle = requireNonNull(throttle, "throttle");
    this.random = requireNonNull(random, "random");
    this.clock = requireNonNull(clock, "clock");
    this.dummyHash = passwords.hash("not-a-real-password-" + random.nextLong());
  }

  public Login login(String email, String password, String clientIp) {
    String mail = email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    // An impossible email (a NUL byte, say) has no account: not looked up, the same 401 as any other.
    Optional<SessionStore.UserCredentials> creds = !dev.tollgate.iam.Names.isEmail(mail) ? Optional.empty()
        : store.credentials(mail);
    String known = creds.map(c -> c.user().email()).orElse(null);
    try {
      throttle.begin(mail, clientIp);
    } catch (TollgateException e) {
      events.record(clock.instant(), known, "session.login.failed", clientIp, "throttled: too many failed logins");
      throw e;
    }
    boolean ok = passwords.verify(password, creds.map(SessionStore.UserCredentials::passwordHash).orElse(dummyHash))
        && creds.isPresent();
    if (!ok) {
      events.record(clock.instant(), known, "session.login.failed", clientIp,
          known == null ? "no account with that email" : "wrong password");
      throw TollgateException.unauthenticated(BAD_CREDENTIALS);
    }
    throttle.succeeded(mail, clientIp);
    String sessionId = randomHex(32);
    Instant now = clock.instant();
    Session s = new Session(Sha256.hex(sessionId), creds.get().user(),
        CsrfTokens.stored(CsrfTokens.forSession(sessionId)), now.plus(LIFETIME));
    store.insert(s, now);
    events.record(now, known, "session.login", clientIp, "password");
    return new Login(sessionId, s);
  }

  /**
   * The user of {@code session} changes their password: the current one is checked (throttled
   * like a log-in), the new one must meet {@link Passwords#requirePolicy}, and every other session
   * of the user ends (this one stays).
   *
   * @throws TollgateException UNAUTHENTICATED naming {@code currentPassword} when it is wrong
   */
  public void changePassword(Session session, String currentPassword, String newPassword, String clientIp) {
    requireNonNull(session, "session");
    String mail = session.user().email();
    if (newPassword == null || newPassword.length() < Passwords.MIN_LENGTH || newPassword.length() > Passwords.MAX_LENGTH) {
      throw TollgateException.invalid("newPassword",
          "new password must be " + Passwords.MIN_LENGTH + "-" + Passwords.MAX_LENGTH + " characters");
    }
    throttle.begin(mail, clientIp);
    Optional<SessionStore.UserCredentials> creds = store.credentials(mail);
    if (creds.isEmpty() || !passwords.verify(currentPassword, creds.get().passwordHash())) {
      events.record(clock.instant(), mail, "user.password.change.failed", clientIp, "wrong current password");
      throw TollgateException.invalid("currentPassword", "the current password is not correct");
    }
    throttle.succeeded(mail, clientIp);
    store.setPassword(session.user().id(), passwords.hash(newPassword));
    int ended = endSessionsOf(session.user().id(), session.idSha256());
    events.record(clock.instant(), mail, "user.password.change", clientIp,
        ended + " other session" + (ended == 1 ? "" : "s") + " ended");
  }

  /**
   * Sets a password chosen for the user by someone else (an owner's or the operator's reset) and
   * ends all the user's sessions. The caller checked the authority and records the audit entry.
   *
   * @return how many sessions ended
   */
  @Override
  public int setPassword(dev.tollgate.iam.User user, String newPassword) {
    Passwords.requirePolicy(newPassword);
    store.setPassword(user.id(), passwords.hash(newPassword));
    return endSessionsOf(user.id(), null);
  }

  private int endSessionsOf(String userId, String keep) {
    List<String> ended = store.deleteOfUser(userId, keep);
    ended.forEach(cache::invalidate);
    return ended.size();
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

  /** Forgets every cached lookup: another node changed IAM state, perhaps revoked a session. */
  public void forgetCached() {
    cache.invalidateAll();
  }

  /** Removes expired sessions from the database (run hourly); returns how many. */
  public int purgeExpired() {
    return store.deleteExpired(clock.instant());
  }

  public void logout(Session session, String clientIp) {
    store.delete(session.idSha256());
    cache.invalidate(session.idSha256());
    events.record(clock.instant(), session.user().email(), "session.logout", clientIp, "");
  }

  private String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
