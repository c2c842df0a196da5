package dev.tollgate.audit;

import dev.tollgate.iam.AuditEntry;
import java.time.Instant;
import java.util.List;

/** Persistence of audit entries, implemented over JDBC in {@code db}. */
public interface AuditStore {
  void append(List<AuditEntry> entries);

  /**
   * Entries of one organization, newest first, with {@code seq < beforeSeq} (when given) and
   * {@code at >= since} (when given), optionally only those whose action starts with
   * {@code actionPrefix}, at most {@code limit}.
   */
  /** Newest first; {@code since} inclusive, {@code until} exclusive, {@code actor} a case-insensitive substring; nulls filter nothing. */
  List<AuditEntry> page(String organizationId, Instant since, Instant until, Long beforeSeq, String actionPrefix,
      String actor, int limit);
}
