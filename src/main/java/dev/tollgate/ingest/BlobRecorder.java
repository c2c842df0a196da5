package dev.tollgate.ingest;

import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.profiles.Source;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores one call's blobs durably and then counts the call in stats and metrics: the step every
 * profile RPC ends with. Blocks until the group commit acknowledged the data.
 */
final class BlobRecorder {
  private final ProfileStore store;
  private final IngestStats stats;
  private final IngestMetrics metrics;

  BlobRecorder(ProfileStore store, IngestStats stats, IngestMetrics metrics) {
    this.store = store;
    this.stats = stats;
    this.metrics = metrics;
  }

  /** Counts an authorized call that ended in an error (invalid data, storage failure) as a refusal of its source. */
  void refused(IngestGrant grant) {
    stats.refused(grant.projectId(), grant.sourceId(), grant.sourceName());
  }

  /** @param requestBytes the call's payload size for the byte counters */
  void record(IngestGrant grant, String method, List<NewBlob> blobs, long requestBytes) {
    if (!blobs.isEmpty()) {
      store.append(grant.projectId(), new Source(grant.sourceId(), grant.sourceName()), blobs).join();
    }
    long series = 0;
    Map<String, IngestStats.NodeShare> byNode = new HashMap<>();
    for (NewBlob b : blobs) {
      series += b.entries().size();
      for (SeriesEntry e : b.entries()) {
        String node = e.labels().get("node");
        if (node != null) {
          byNode.merge(node, new IngestStats.NodeShare(b.bytes().length / b.entries().size(), 1),
              (x, y) -> new IngestStats.NodeShare(x.bytes() + y.bytes(), x.series() + y.series()));
        }
      }
    }
    stats.accepted(grant.projectId(), grant.sourceId(), grant.sourceName(), requestBytes, series, byNode);
    metrics.bytes(grant.projectId(), method, requestBytes);
  }
}
