package dev.tollgate.query;

import dev.tollgate.proto.pprof.Profile;
import java.util.Objects;
import java.util.SortedMap;

/**
 * One series' part of a stored blob as pprof: {@code labels} and {@code profileType} are exactly
 * the label set and profile type the index stores for the blob, so an index row picks its entry.
 */
public record LabeledProfile(SortedMap<String, String> labels, String profileType, Profile profile) {
  public LabeledProfile {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(profileType, "profileType");
    Objects.requireNonNull(profile, "profile");
  }
}
