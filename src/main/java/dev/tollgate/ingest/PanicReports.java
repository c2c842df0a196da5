package dev.tollgate.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps agents' panic reports per project (stderr cut to a bound) and logs each one. */
final class PanicReports {
  private static final Logger log = LoggerFactory.getLogger(PanicReports.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_METADATA_ENTRIES = 64;

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final int maxBytes;

  PanicReports(Jdbi jdbi, InstantSource clock, int maxBytes) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.maxBytes = maxBytes;
  }

  void record(IngestGrant grant, String stderr, Map<String, String> metadata) {
    // PostgreSQL text cannot hold NUL; no real panic output has one
    if (stderr.indexOf(0) >= 0) {
      throw new InvalidProfileException("stderr contains a NUL character");
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey().indexOf(0) >= 0 || e.getValue().indexOf(0) >= 0) {
        throw new InvalidProfileException("metadata contains a NUL character");
      }
    }
    String kept = stderr.length() > maxBytes ? stderr.substring(0, maxBytes) : stderr;
    Map<String, String> meta = new TreeMap<>();
    metadata.entrySet().stream().limit(MAX_METADATA_ENTRIES).forEach(e -> meta.put(e.getKey(),
        e.getValue().length() > 1024 ? e.getValue().substring(0, 1024) : e.getValue()));
    String metaJson;
    try {
      metaJson = JSON.writeValueAsString(meta);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO panic_reports (project_id, received_at, source_id, stderr, metadata)"
            + " VALUES (:p, :t, :s, :e, :m)")
        .bind("p", grant.projectId().toString()).bind("t", clock.millis()).bind("s", grant.sourceId())
        .bind("e", kept).bind("m", metaJson).execute());
    String firstLine = kept.lines().findFirst().orElse("");
    log.warn("agent panic reported in project {} by {}: {}", grant.projectId(), grant.sourceName(),
        firstLine.length() > 200 ? firstLine.substring(0, 200) : firstLine);
  }

  long count(UUID projectId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM panic_reports WHERE project_id = :p")
        .bind("p", projectId.toString()).mapTo(Long.class).one());
  }
}
