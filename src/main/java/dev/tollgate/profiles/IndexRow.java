package dev.tollgate.profiles;

/** One row of the {@code profiles} table. */
record IndexRow(
    String id,
    String projectId,
    String seriesId,
    String labels,
    String profileTypes,
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
        h.kind(), h.receivedAt(), e.sampleTime() == 0 ? null : e.sampleTime(),
        e.sampleEnd() == 0 ? null : e.sampleEnd(), segment, offset, length, size,
        h.sourceId(), h.sourceName(), e.labels().get("node"), storedBy);
  }
}
