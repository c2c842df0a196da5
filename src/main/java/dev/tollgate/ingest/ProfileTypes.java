package dev.tollgate.ingest;

import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Parca's profile type names: {@code name:sample_type:sample_unit:period_type:period_unit[:delta]},
 * one per pprof sample type, {@code :delta} when the profile has a duration.
 */
final class ProfileTypes {
  private ProfileTypes() {}

  /** The profile types of a validated profile whose series has {@code __name__ = name}. */
  static List<String> of(String name, Profile p) {
    List<String> out = new ArrayList<>(p.getSampleTypeCount());
    ValueType period = p.getPeriodType();
    String periodPart = p.getStringTable((int) period.getType()) + ":" + p.getStringTable((int) period.getUnit());
    for (ValueType t : p.getSampleTypeList()) {
      out.add(of(name, p.getStringTable((int) t.getType()), p.getStringTable((int) t.getUnit()), periodPart,
          p.getDurationNanos() != 0));
    }
    return out;
  }

  static String of(String name, String sampleType, String sampleUnit, String periodTypeAndUnit, boolean delta) {
    return name + ":" + sampleType + ":" + sampleUnit + ":" + periodTypeAndUnit + (delta ? ":delta" : "");
  }
}
