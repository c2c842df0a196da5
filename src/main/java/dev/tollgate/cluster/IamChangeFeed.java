package dev.tollgate.cluster;

import static java.util.Objects.requireNonNull;

import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.db.Dialect;
import dev.tollgate.db.IamVersion;
import dev.tollgate.iam.Freshness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this server's IAM snapshot current with the changes other servers commit to the shared
 * PostgreSQL database.
 *
 * <p>One thread holds a dedicated connection that {@code LISTEN}s on {@link IamVersion#CHANNEL}.
 * A notification (payload: the committed version) is only a hint: when its version is newer than
 * the one applied, the snapshot is reloaded. The version row is the truth: every
 * {@link #HEARTBEAT} the thread reads it (with a network timeout, so a silent partition shows as
 * an error), reloads when it differs, and confirms the snapshot current as of the moment the read
 * began. On any error the thread reconnects, listens again and resyncs from the version, so
 * notifications lost while disconnected cost nothing.
 *
 * <p>As {@link Freshness}: current while the last confirmation is within the staleness bound;
 * past it, a request triggers one check on a fresh connection ({@link Staleness}) and is refused
 * UNAVAILABLE if the database cannot be reached.
 */
public final class IamChangeFeed implements Freshness, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IamChangeFeed.class);

  /** The application name of the listening connection, as {@code pg_stat_activity} shows it. */
  public static final String LISTENER_APPLICATION_NAME = "tollgate-iam-listener";
  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  /** How long one heartbeat, connect or check may take before the connection counts as lost. */
  static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

  private final DatabaseUrl url;
  private final Staleness staleness;
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong reloads = new AtomicLong();
  private final Object applying = new Object();
  private List<Runnable> onChange = List.of();
  private long applied = Long.MIN_VALUE;
  private volatile boolean closed;
  private volatile Connection listening;
  private Thread thread;

  /**
   * A feed for {@code url} (PostgreSQL only) with the staleness bound {@code maxStaleness}. Until
   * {@link #start} it reports current: the server is starting and loads its state itself.
   */
  public IamChangeFeed(DatabaseUrl url, Duration maxStaleness) {
    this.url = requireNonNull(url, "url");
    if (url.dialect() != Dialect.POSTGRESQL) {
      throw new IllegalArgumentException("the IAM change feed needs PostgreSQL");
    }
    this.staleness = new Staleness(maxStaleness, System::nanoTime);
  }

  /**
   * Resyncs once on the calling thread (so start fails if the database is unreachable), then starts
   * listening. {@code onChange} runs, in order, whenever another version is applied.
   */
  public synchronized void start(List<Runnable> onChange) throws SQLException {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    this.onChange = List.copyOf(onChange);
    staleness.confirmed(checkOnNewConnection());
    staleness.enforce(this::checkOnNewConnection);
    thread = Thread.ofPlatform().name("tollgate-iam-feed").daemon(true).start(this::listenUntilClosed);
  }

  @Override
  public boolean isCurrent() {
    return staleness.isCurrent();
  }

  @Override
  public void requireCurrent() {
    staleness.requireCurrent();
  }

  /** The IAM version the snapshot was last loaded at. */
  public long appliedVersion() {
    synchronized (applying) {
      return applied;
    }
  }

  /** How often the listener lost its connection and opened a new one. */
  public long reconnects() {
    return reconnects.get();
  }

  /** How often another version was applied (a reload each time). */
  public long reloads() {
    return reloads.get();
  }

  private void listenUntilClosed() {
    long backoffMillis = 50;
    while (!closed) {
      try (Connection c = connect(LISTENER_APPLICATION_NAME)) {
        listening = c;
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + IamVersion.CHANNEL);
        }
        heartbeat(c); // after LISTEN: whatever committed before it is in this version
        backoffMillis = 50;
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        // Only the type and SQL state: messages of a failed connect may name the host and user.
        log.warn("IAM change feed lost the database ({} {}); reconnecting in {} ms", e.getClass().getSimpleName(),
            e instanceof SQLException s ? s.getSQLState() : "", backoffMillis);
        reconnects.incrementAndGet();
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException ie) {
          return;
        }
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      } finally {
        listening = null;
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextBeat = System.nanoTime() + HEARTBEAT.toNanos();
    while (!closed) {
      int waitMillis = (int) Math.max(1, (nextBeat - System.nanoTime()) / 1_000_000);
      PGNotification[] notes = pg.getNotifications(waitMillis);
      if (notes != null && notes.length > 0) {
        applyHint(notes);
      }
      if (System.nanoTime() - nextBeat >= 0) {
        heartbeat(c);
        nextBeat = System.nanoTime() + HEARTBEAT.toNanos();
      }
    }
  }

  /** A newer version announced: reload now rather than wait for the heartbeat. */
  private void applyHint(PGNotification[] notes) {
    long newest = Long.MIN_VALUE;
    for (PGNotification n : notes) {
      try {
        newest = Math.max(newest, Long.parseLong(n.getParameter()));
      } catch (NumberFormatException e) {
        newest = Long.MAX_VALUE; // not ours to interpret: the heartbeat reads the real version
      }
    }
    synchronized (applying) {
      if (newest != Long.MAX_VALUE && newest > applied) {
        reload();
        applied = newest;
      }
    }
  }

  private void heartbeat(Connection c) throws SQLException {
    long began = System.nanoTime();
    apply(IamVersion.read(c), began);
  }

  /**
   * Makes the snapshot current as of {@code version}, read at {@code readAt}. A version lower than
   * the applied one (a database restored from a backup) reloads as well.
   */
  private void apply(long version, long readAt) {
    synchronized (applying) {
      if (version != applied) {
        reload();
        applied = version;
      }
    }
    staleness.confirmed(readAt);
  }

  private void reload() {
    for (Runnable r : onChange) {
      r.run();
    }
    reloads.incrementAndGet();
  }

  /** The request path's check: one short-lived connection, read the version, apply. */
  private long checkOnNewConnection() throws SQLException {
    long began = System.nanoTime();
    long version;
    try (Connection c = connect("tollgate-iam-check")) {
      version = IamVersion.read(c);
    }
    apply(version, began);
    return began;
  }

  private Connection connect(String applicationName) throws SQLException {
    Properties p = new Properties();
    if (url.user() != null) {
      p.setProperty("user", url.user());
    }
    if (url.password() != null) {
      p.setProperty("password", url.password());
    }
    p.setProperty("ApplicationName", applicationName);
    String seconds = Long.toString(NETWORK_TIMEOUT.toSeconds());
    p.setProperty("connectTimeout", seconds);
    p.setProperty("loginTimeout", seconds);
    p.setProperty("socketTimeout", seconds);
    p.setProperty("tcpKeepAlive", "true");
    Connection c = DriverManager.getConnection(url.jdbcUrl(), p);
    c.setAutoCommit(true);
    return c;
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      Connection c = listening;
      if (c != null) {
        try {
          c.close(); // wakes a thread waiting in getNotifications
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
      t.interrupt();
      try {
        t.join(NETWORK_TIMEOUT.toMillis() * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
