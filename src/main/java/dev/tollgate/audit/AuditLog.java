package dev.tollgate.audit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Permissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading the audit log, and appending entries that do not belong to a transaction (refused
 * authentications). Those go through a bounded queue drained by one writer thread in batches,
 * so a flood of bad credentials costs the database one batched insert per burst, and overflow
 * is counted and dropped rather than slowing the request path. An entry that names no
 * organization (a random token, an unknown project) is filed under the operator's organization
 * ({@link dev.tollgate.iam.IamSnapshot#operatorOrganization}), whose owners run the server.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /** One page and the cursor of the next (null at the end). */
  public record Page(List<AuditEntry> entries, String nextCursor) {}

  private final AuditStore store;
  private final Authorizer authorizer;
  private final Supplier<Optional<String>> operatorOrganization;
  private final BlockingQueue<AuditEntry> queue = new ArrayBlockingQueue<>(10_000);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  public AuditLog(AuditStore store, Authorizer authorizer, Supplier<Optional<String>> operatorOrganization) {
    this.store = requireNonNull(store, "store");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.operatorOrganization = requireNonNull(operatorOrganization, "operatorOrganization");
    this.writer = Thread.ofPlatform().daemon().name("tollgate-audit-writer").start(this::drainLoop);
  }

  /** Queues an entry; never blocks. */
  public void appendAsync(AuditEntry entry) {
    if (entry.organizationId() == null) {
      entry = entry.withOrganization(operatorOrganization.get().orElse(null));
    }
    if (!queue.offer(entry)) {
      dropped.incrementAndGet();
    }
  }

  public long dropped() {
    return dropped.get();
  }

  /** Writes everything queued so far (tests, shutdown). */
  public synchronized void flush() {
    List<AuditEntry> batch = new ArrayList<>();
    queue.drainTo(batch);
    if (!batch.isEmpty()) {
      store.append(batch);
    }
  }

  /**
   * One page, newest first, of the entries at or after {@code since} and before {@code until}
   * (each optional), whose action starts with {@code actionPrefix} and whose actor contains
   * {@code actor} (case-insensitively; each optional).
   */
  public Page page(Caller caller, String organizationId, Instant since, Instant until, int limit, String cursor,
      String actionPrefix, String actor) {
    authorizer.require(caller.principal(), Permissions.AUDIT_READ, organizationId);
    if (limit < 1 || limit > 1000) {
      throw TollgateException.invalid("limit", "limit must be 1-1000");
    }
    Long before = null;
    if (cursor != null && !cursor.isBlank()) {
      try {
        before = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        throw TollgateException.invalid("cursor", "cursor is not one this server gave out");
      }
    }
    flush();
    List<AuditEntry> rows = store.page(organizationId, since, until, before, actionPrefix, actor, limit + 1);
    String next = null;
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      next = Long.toString(rows.get(rows.size() - 1).seq());
    }
    return new Page(List.copyOf(rows), next);
  }

  private void drainLoop() {
    while (!closed) {
      try {
        AuditEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<AuditEntry> batch = new ArrayList<>();
        batch.add(first);
        queue.drainTo(batch, 999);
        synchronized (this) {
          store.append(batch);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("could not write audit entries", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("could not write the last audit entries", e);
    }
  }
}
