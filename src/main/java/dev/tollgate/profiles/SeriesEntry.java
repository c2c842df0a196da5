package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.SortedMap;

/**
 * One label set inside a stored blob, with the profile types it carries and the time its samples
 * cover per the client.
 *
 * @param sampleTimeMillis start of the samples' time range (epoch millis), or 0 when unknown
 * @param sampleEndMillis end of the samples' time range (epoch millis), or 0 when unknown
 */
public record SeriesEntry(SortedMap<String, String> labels, List<String> profileTypes, long sampleTimeMillis,
    long sampleEndMillis) {
  public SeriesEntry {
    requireNonNull(labels, "labels");
    profileTypes = List.copyOf(requireNonNull(profileTypes, "profileTypes"));
  }

  /** A profile taken at one instant (or at an unknown time: 0). */
  public SeriesEntry(SortedMap<String, String> labels, List<String> profileTypes, long sampleTimeMillis) {
    this(labels, profileTypes, sampleTimeMillis, sampleTimeMillis);
  }
}
