package dev.tollgate.ingest;

import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Parca's rules for a series' label set, as its WriteRaw normalizer applies them with
 * prometheus/common's UTF-8 name validation (the scheme that library uses since 0.62 and the only
 * one {@code LabelName.IsValid} knows in 0.67):
 * <ul>
 *   <li>{@code __name__} is the profile's name: it is not checked as a label name, may repeat (the
 *       last one counts) and must end up not empty ("missing __name__ label");
 *   <li>every other name must be a non-empty, valid UTF-8 string, so {@code k8s.pod.name},
 *       {@code service.name} or {@code 1job} are accepted;
 *   <li>no other name may repeat.
 * </ul>
 * Values are not checked (Parca checks none; protobuf already guarantees they are UTF-8), except
 * that no name or value may hold a NUL character, which PostgreSQL cannot store.
 */
final class LabelSets {
  static final String NAME_LABEL = "__name__";

  private LabelSets() {}

  /** The first problem with {@code labels}, or empty when they are valid. Pure. */
  static Optional<String> problem(LabelSet labels) {
    String name = "";
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < labels.getLabelsCount(); i++) {
      Label l = labels.getLabels(i);
      if (l.getName().indexOf(0) >= 0 || l.getValue().indexOf(0) >= 0) {
        return Optional.of("label " + i + " contains a NUL character");
      }
      if (l.getName().equals(NAME_LABEL)) {
        name = l.getValue(); // Parca keeps the last one
        continue;
      }
      if (l.getName().isEmpty() || !l.getNameBytes().isValidUtf8()) {
        return Optional.of("label " + i + " has invalid name \"" + l.getName() + "\"");
      }
      if (!seen.add(l.getName())) {
        return Optional.of("label " + i + " duplicates name \"" + l.getName() + "\"");
      }
    }
    return name.isEmpty() ? Optional.of("missing __name__ label") : Optional.empty();
  }

  /** @throws InvalidProfileException when a name or value of {@code labels} holds a NUL character */
  static void requireNoNul(Map<String, String> labels) {
    labels.forEach((k, v) -> {
      if (k.indexOf(0) >= 0 || v.indexOf(0) >= 0) {
        throw new InvalidProfileException("a label contains a NUL character");
      }
    });
  }

  /** The labels sorted by name ({@code __name__}: its last value); call after {@link #problem} found none. */
  static SortedMap<String, String> sorted(LabelSet labels) {
    TreeMap<String, String> m = new TreeMap<>();
    for (Label l : labels.getLabelsList()) {
      m.put(l.getName(), l.getValue());
    }
    return Collections.unmodifiableSortedMap(m);
  }
}
