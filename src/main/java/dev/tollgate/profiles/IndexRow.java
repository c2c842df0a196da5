package dev.tollgate.profiles;

import java.util.List;

/**
 * One row of the {@code profiles} table.
 *
 * @param profileTypes the JSON array stored in the row
 * @param types the same types as a list, for the summaries
 */
record IndexRow(
    String id,
    String projectId,
    String seriesId,
    String labels,
    String profileTypes,
    List<String> types,
    String kind,
    long receivedAt,
    Long sampleTime,
    Long sampleEnd,
    String segment,
    long byteOffset,
    long byteLength,
    long size,
    String sourceId,
    String sourceName,
    String node,
    String storedBy) {

  /** @param storedBy the node id of the data directory that holds {@code segment} */
  static IndexRow of(String projectId, FrameHeader h, FrameHeader.Entry e, String segment, long offset, long length,
      long size, String storedBy) {
    String labels = Json.labels(e.labels());
    return new IndexRow(e.id(), projectId, SeriesIds.ofCanonicalJson(labels), labels, Json.list(e.types()),
        e.types(), h.kind(), h.receivedAt(), e.sampleTime() == 0 ? null : e.sampleTime(),
        e.sampleEnd() == 0 ? null : e.sampleEnd(), segment, offset, length, size,
        h.sourceId(), h.sourceName(), e.labels().get("node"), storedBy);
  }

  /** This row, pointing at where its frame was written. */
  IndexRow at(String segment, long offset, long length) {
    return new IndexRow(id, projectId, seriesId, labels, profileTypes, types, kind, receivedAt, sampleTime, sampleEnd,
        segment, offset, length, size, sourceId, sourceName, node, storedBy);
  }
}
