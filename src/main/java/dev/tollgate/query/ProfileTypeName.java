package dev.tollgate.query;

import java.util.List;

/**
 * A Parca profile type, {@code name:sample_type:sample_unit:period_type:period_unit[:delta]}:
 * exactly the strings ingestion indexes per stored profile.
 */
record ProfileTypeName(String name, String sampleType, String sampleUnit, String periodType, String periodUnit,
    boolean delta) {

  /** Parses the index's string form; null when it is not one. */
  static ProfileTypeName parseOrNull(String s) {
    List<String> parts = List.of(s.split(":", -1));
    if (parts.size() < 5 || parts.size() > 6 || (parts.size() == 6 && !parts.get(5).equals("delta"))) {
      return null;
    }
    for (int i = 0; i < 5; i++) {
      if (parts.get(i).isEmpty()) {
        return null;
      }
    }
    return new ProfileTypeName(parts.get(0), parts.get(1), parts.get(2), parts.get(3), parts.get(4), parts.size() == 6);
  }

  @Override
  public String toString() {
    return name + ":" + sampleType + ":" + sampleUnit + ":" + periodType + ":" + periodUnit + (delta ? ":delta" : "");
  }
}
