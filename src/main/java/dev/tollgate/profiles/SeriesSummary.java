package dev.tollgate.profiles;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/** What arrived for one label set of a project. */
public record SeriesSummary(
    String id, SortedMap<String, String> labels, List<String> profileTypes, Instant firstSeen, Instant lastSeen,
    long count) {}
