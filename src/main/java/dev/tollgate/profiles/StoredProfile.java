package dev.tollgate.profiles;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * One indexed profile: a blob under one label set.
 *
 * @param sampleTime when the client took it, or null when unknown
 * @param size the stored bytes' length
 * @param node the {@code node} label, or null
 */
public record StoredProfile(
    String id,
    String seriesId,
    SortedMap<String, String> labels,
    List<String> profileTypes,
    BlobKind kind,
    Instant receivedAt,
    Instant sampleTime,
    long size,
    String sourceId,
    String sourceName,
    String node) {}
