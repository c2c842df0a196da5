package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.SortedMap;

/**
 * One label set inside a stored blob, with the profile types it carries.
 *
 * @param sampleTimeMillis when the profile was taken per the client (epoch millis), or 0 when unknown
 */
public record SeriesEntry(SortedMap<String, String> labels, List<String> profileTypes, long sampleTimeMillis) {
  public SeriesEntry {
    requireNonNull(labels, "labels");
    profileTypes = List.copyOf(requireNonNull(profileTypes, "profileTypes"));
  }
}
