package dev.tollgate.profiles;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * One indexed profile: a blob under one label set.
 *
 * @param sampleTime start of the time its samples cover per the client, or null when unknown
 * @param sampleEnd end of that time range, or null when unknown
 * @param size the stored bytes' length
 * @param node the {@code node} label, or null
 * @param blob where the stored bytes are (node, segment, offset): the profiles of one blob, one per
 *     label set, have the same, so a reader decodes the blob once for all of them
 */
public record StoredProfile(
    String id,
    String seriesId,
    SortedMap<String, String> labels,
    List<String> profileTypes,
    BlobKind kind,
    Instant receivedAt,
    Instant sampleTime,
    Instant sampleEnd,
    long size,
    String sourceId,
    String sourceName,
    String node,
    String blob) {}
