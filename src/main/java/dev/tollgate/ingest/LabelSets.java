package dev.tollgate.ingest;

import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Parca's rules for a series' label set: {@code __name__} present and not empty, Prometheus label names, no duplicates. */
final class LabelSets {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private LabelSets() {}

  /** The first problem with {@code labels}, or empty when they are valid. Pure. */
  static Optional<String> problem(LabelSet labels) {
    boolean hasName = false;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < labels.getLabelsCount(); i++) {
      Label l = labels.getLabels(i);
      if (!NAME.matcher(l.getName()).matches()) {
        return Optional.of("label " + i + " has invalid name \"" + l.getName() + "\"");
      }
      if (!seen.add(l.getName())) {
        return Optional.of("label " + i + " duplicates name \"" + l.getName() + "\"");
      }
      if (l.getName().equals("__name__") && !l.getValue().isEmpty()) {
        hasName = true; // an empty __name__ is missing, as in Parca
      }
    }
    return hasName ? Optional.empty() : Optional.of("missing __name__ label");
  }

  /** The labels sorted by name; call after {@link #problem} found none. */
  static SortedMap<String, String> sorted(LabelSet labels) {
    TreeMap<String, String> m = new TreeMap<>();
    for (Label l : labels.getLabelsList()) {
      m.put(l.getName(), l.getValue());
    }
    return Collections.unmodifiableSortedMap(m);
  }
}
