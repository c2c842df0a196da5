package dev.tollgate.cluster;

import static java.util.Objects.requireNonNull;

import java.time.InstantSource;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code servers} table: where each node that shares the database can be reached. */
public final class Nodes {
  private final Jdbi jdbi;
  private final InstantSource clock;

  public Nodes(Jdbi jdbi, InstantSource clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Records (or updates, after a restart on another port or host) the address of {@code nodeId}. */
  public void register(String nodeId, String url) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO servers (node_id, url, started_at) VALUES (:id, :url, :at)"
            + " ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, started_at = excluded.started_at")
        .bind("id", nodeId).bind("url", url).bind("at", clock.millis()).execute());
  }

  /** The address {@code nodeId} registered last, if it ever did. */
  public Optional<String> url(String nodeId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT url FROM servers WHERE node_id = :id")
        .bind("id", nodeId).mapTo(String.class).findOne());
  }
}
