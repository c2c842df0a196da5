package dev.tollgate.profiles;

import java.util.List;
import java.util.SortedMap;

/**
 * What a segment record says about its blob. It repeats the index rows so that records written
 * and fsynced but not yet indexed when the process died can be indexed again on start.
 */
record FrameHeader(String kind, long receivedAt, String sourceId, String sourceName, List<Entry> entries) {
  /** {@code sampleEnd} is 0 in records written before it existed (and when unknown). */
  record Entry(String id, SortedMap<String, String> labels, List<String> types, long sampleTime, long sampleEnd) {}
}
