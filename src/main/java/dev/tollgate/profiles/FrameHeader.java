package dev.tollgate.profiles;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.SortedMap;

/**
 * What a segment record says about its blob ({@code rawSample}: absent in records of other kinds
 * and in those written before it existed; {@code digest}: the blob's {@link BlobDigests}, absent
 * in records written before it existed). It repeats the index rows so that records written
 * and fsynced but not yet indexed when the process died can be indexed again on start.
 */
record FrameHeader(String kind, long receivedAt, String sourceId, String sourceName, List<Entry> entries,
    @JsonInclude(JsonInclude.Include.NON_NULL) RawSampleInfo rawSample,
    @JsonInclude(JsonInclude.Include.NON_NULL) String digest) {
  /** A header without {@link RawSampleInfo} nor digest, as every record written before they existed reads. */
  FrameHeader(String kind, long receivedAt, String sourceId, String sourceName, List<Entry> entries) {
    this(kind, receivedAt, sourceId, sourceName, entries, null, null);
  }

  /** {@code sampleEnd} is 0 in records written before it existed (and when unknown). */
  record Entry(String id, SortedMap<String, String> labels, List<String> types, long sampleTime, long sampleEnd) {}
}
