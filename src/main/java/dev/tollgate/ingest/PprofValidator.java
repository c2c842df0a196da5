package dev.tollgate.ingest;

import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import java.util.Optional;

/**
 * Parca's structural checks of a pprof profile (normalizer/validate.go), as a pure function.
 * Indexes in messages are 0-based positions in the repeated field; ids are the pprof ids.
 */
final class PprofValidator {
  private PprofValidator() {}

  /**
   * The first problem found, or empty.
   *
   * @param executableInfoCount how many {@code executable_info} entries came with the profile
   */
  static Optional<String> problem(Profile p, int executableInfoCount) {
    int strings = p.getStringTableCount();
    if (strings == 0) {
      return Optional.of("string_table is empty");
    }
    if (!p.getStringTable(0).isEmpty()) {
      return Optional.of("string_table[0] is not the empty string");
    }
    if (executableInfoCount != 0 && executableInfoCount != p.getMappingCount()) {
      return Optional.of("executable_info has " + executableInfoCount + " entries but the profile has "
          + p.getMappingCount() + " mappings");
    }
    for (int i = 0; i < p.getSampleTypeCount(); i++) {
      Optional<String> bad = valueType(p.getSampleType(i), strings, "sample_type " + i);
      if (bad.isPresent()) {
        return bad;
      }
    }
    if (p.hasPeriodType()) {
      Optional<String> bad = valueType(p.getPeriodType(), strings, "period_type");
      if (bad.isPresent()) {
        return bad;
      }
    }
    for (int i = 0; i < p.getMappingCount(); i++) {
      Mapping m = p.getMapping(i);
      if (m.getId() != i + 1) {
        return Optional.of("mapping " + i + " has id " + m.getId() + ", expected " + (i + 1));
      }
      if (!inRange(m.getFilename(), strings)) {
        return Optional.of("mapping " + i + " has filename index " + m.getFilename() + " out of range");
      }
      if (!inRange(m.getBuildId(), strings)) {
        return Optional.of("mapping " + i + " has build_id index " + m.getBuildId() + " out of range");
      }
    }
    for (int i = 0; i < p.getFunctionCount(); i++) {
      Function f = p.getFunction(i);
      if (f.getId() != i + 1) {
        return Optional.of("function " + i + " has id " + f.getId() + ", expected " + (i + 1));
      }
      if (!inRange(f.getName(), strings)) {
        return Optional.of("function " + i + " has name index " + f.getName() + " out of range");
      }
      if (!inRange(f.getSystemName(), strings)) {
        return Optional.of("function " + i + " has system_name index " + f.getSystemName() + " out of range");
      }
      if (!inRange(f.getFilename(), strings)) {
        return Optional.of("function " + i + " has filename index " + f.getFilename() + " out of range");
      }
    }
    for (int i = 0; i < p.getLocationCount(); i++) {
      Location loc = p.getLocation(i);
      if (loc.getId() != i + 1) {
        return Optional.of("location " + i + " has id " + loc.getId() + ", expected " + (i + 1));
      }
      if (Long.compareUnsigned(loc.getMappingId(), p.getMappingCount()) > 0) {
        return Optional.of("location " + i + " has mapping id " + Long.toUnsignedString(loc.getMappingId())
            + " out of range");
      }
      for (int j = 0; j < loc.getLineCount(); j++) {
        Line line = loc.getLine(j);
        if (line.getFunctionId() == 0 || Long.compareUnsigned(line.getFunctionId(), p.getFunctionCount()) > 0) {
          return Optional.of("location " + i + " line " + j + " has function id "
              + Long.toUnsignedString(line.getFunctionId()) + " out of range");
        }
      }
    }
    int types = p.getSampleTypeCount();
    for (int i = 0; i < p.getSampleCount(); i++) {
      Sample s = p.getSample(i);
      if (s.getValueCount() != types) {
        return Optional.of("sample " + i + " has " + s.getValueCount() + " values but the profile has "
            + types + " sample types");
      }
      for (int j = 0; j < s.getLocationIdCount(); j++) {
        long id = s.getLocationId(j);
        if (id == 0 || Long.compareUnsigned(id, p.getLocationCount()) > 0) {
          return Optional.of("sample " + i + " location " + j + " has id " + Long.toUnsignedString(id)
              + " out of range");
        }
      }
      for (int j = 0; j < s.getLabelCount(); j++) {
        var l = s.getLabel(j);
        if (!inRange(l.getKey(), strings) || !inRange(l.getStr(), strings) || !inRange(l.getNumUnit(), strings)) {
          return Optional.of("sample " + i + " label " + j + " has a string index out of range");
        }
      }
    }
    for (int i = 0; i < p.getCommentCount(); i++) {
      if (!inRange(p.getComment(i), strings)) {
        return Optional.of("comment " + i + " has string index " + p.getComment(i) + " out of range");
      }
    }
    if (!inRange(p.getDropFrames(), strings)) {
      return Optional.of("drop_frames has string index " + p.getDropFrames() + " out of range");
    }
    if (!inRange(p.getKeepFrames(), strings)) {
      return Optional.of("keep_frames has string index " + p.getKeepFrames() + " out of range");
    }
    if (!inRange(p.getDefaultSampleType(), strings)) {
      return Optional.of("default_sample_type has string index " + p.getDefaultSampleType() + " out of range");
    }
    return Optional.empty();
  }

  private static Optional<String> valueType(ValueType t, int strings, String what) {
    if (!inRange(t.getType(), strings)) {
      return Optional.of(what + " has type index " + t.getType() + " out of range");
    }
    if (!inRange(t.getUnit(), strings)) {
      return Optional.of(what + " has unit index " + t.getUnit() + " out of range");
    }
    return Optional.empty();
  }

  private static boolean inRange(long index, int strings) {
    return index >= 0 && index < strings;
  }
}
