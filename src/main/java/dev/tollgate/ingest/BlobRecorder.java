package dev.tollgate.ingest;

import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.profiles.SeriesIds;
import dev.tollgate.profiles.Source;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    // A series is a label set, as the series list has it: the same id the index stores.
    Set<String> series = new HashSet<>();
    Map<String, Long> nodeBytes = new HashMap<>();
    Map<String, Set<String>> nodeSeries = new HashMap<>();
    for (NewBlob b : blobs) {
      for (SeriesEntry e : b.entries()) {
        String id = SeriesIds.of(e.labels());
        series.add(id);
        String node = e.labels().get("node");
        if (node != null) {
          nodeBytes.merge(node, (long) (b.bytes().length / b.entries().size()), Long::sum);
          nodeSeries.computeIfAbsent(node, k -> new HashSet<>()).add(id);
        }
      }
    }
    Map<String, IngestStats.NodeShare> byNode = new HashMap<>();
    nodeBytes.forEach((node, bytes) -> byNode.put(node, new IngestStats.NodeShare(bytes, nodeSeries.get(node))));
    stats.accepted(grant.projectId(), grant.sourceId(), grant.sourceName(), requestBytes, series, byNode);
    metrics.bytes(grant.projectId(), method, requestBytes);
  }
}
