package dev.tollgate.query;

import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one single-type pprof profile from stacks: equal strings, functions, mappings and
 * locations are shared, ids are sequential from 1, and the values of equal stacks add up. The
 * time is the earliest sample's; period and duration are the largest seen.
 */
final class PprofBuilder {
  private final Profile.Builder profile = Profile.newBuilder();
  private final Map<String, Long> strings = new HashMap<>();
  private final Map<Frame.Line, Long> functions = new HashMap<>();
  private final Map<List<Object>, Long> mappings = new HashMap<>();
  private final Map<Frame, Long> locations = new HashMap<>();
  /** The same frames again, by identity: frames read from one dictionary entry are one object, so most lookups end here. */
  private final Map<Frame, Long> locationsByIdentity = new IdentityHashMap<>();
  private final Map<List<Long>, long[]> samples = new LinkedHashMap<>();
  private long timeNanos = Long.MAX_VALUE;
  private long period;
  private long durationNanos;

  PprofBuilder(String sampleType, String sampleUnit, String periodType, String periodUnit) {
    string("");
    profile.addSampleType(ValueType.newBuilder().setType(string(sampleType)).setUnit(string(sampleUnit)));
    profile.setPeriodType(ValueType.newBuilder().setType(string(periodType)).setUnit(string(periodUnit)));
  }

  /** One row: its stack (leaf first), value, the record's period and duration, and its time (null when absent). */
  void add(List<Frame> stack, long value, long rowPeriod, long rowDurationNanos, Long rowTimeNanos) {
    List<Long> ids = new ArrayList<>(stack.size());
    for (Frame f : stack) {
      ids.add(location(f));
    }
    samples.computeIfAbsent(List.copyOf(ids), k -> new long[1])[0] += value;
    period = Math.max(period, rowPeriod);
    durationNanos = Math.max(durationNanos, rowDurationNanos);
    if (rowTimeNanos != null && rowTimeNanos > 0) {
      timeNanos = Math.min(timeNanos, rowTimeNanos);
    }
  }

  Profile build() {
    samples.forEach((ids, value) -> profile.addSample(Sample.newBuilder().addAllLocationId(ids).addValue(value[0])));
    return profile.setPeriod(period).setDurationNanos(durationNanos)
        .setTimeNanos(timeNanos == Long.MAX_VALUE ? 0 : timeNanos).build();
  }

  private long string(String s) {
    if (s == null) {
      return 0;
    }
    return strings.computeIfAbsent(s, k -> {
      profile.addStringTable(k);
      return (long) strings.size();
    });
  }

  private long location(Frame f) {
    Long known = locationsByIdentity.get(f);
    if (known != null) {
      return known;
    }
    known = locations.get(f);
    if (known != null) {
      locationsByIdentity.put(f, known);
      return known;
    }
    long id = locations.size() + 1L;
    Location.Builder loc = Location.newBuilder().setId(id).setAddress(f.address());
    if (f.hasMapping()) {
      loc.setMappingId(mapping(f));
    }
    for (Frame.Line l : f.lines()) {
      loc.addLine(Line.newBuilder().setFunctionId(function(l)).setLine(l.line()));
    }
    profile.addLocation(loc);
    locations.put(f, id);
    locationsByIdentity.put(f, id);
    return id;
  }

  private long mapping(Frame f) {
    List<Object> key = List.of(String.valueOf(f.mappingFile()), String.valueOf(f.buildId()), f.mappingStart(),
        f.mappingLimit(), f.mappingOffset());
    Long known = mappings.get(key);
    if (known != null) {
      if (!f.lines().isEmpty()) {
        int i = (int) (known - 1);
        profile.setMapping(i, profile.getMapping(i).toBuilder().setHasFunctions(true));
      }
      return known;
    }
    long id = mappings.size() + 1L;
    profile.addMapping(Mapping.newBuilder().setId(id).setMemoryStart(f.mappingStart()).setMemoryLimit(f.mappingLimit())
        .setFileOffset(f.mappingOffset()).setFilename(string(f.mappingFile())).setBuildId(string(f.buildId()))
        .setHasFunctions(!f.lines().isEmpty()));
    mappings.put(key, id);
    return id;
  }

  /** Functions are keyed by name, system name, file and start line; the line number is not part of it. */
  private long function(Frame.Line l) {
    Frame.Line key = new Frame.Line(l.name(), l.systemName(), l.filename(), l.startLine(), 0);
    Long known = functions.get(key);
    if (known != null) {
      return known;
    }
    long id = functions.size() + 1L;
    // v2 agents send only a system name; pprof shows the name, so it falls back to the system name.
    String name = l.name() != null ? l.name() : l.systemName();
    String systemName = l.systemName() != null ? l.systemName() : l.name();
    profile.addFunction(Function.newBuilder().setId(id).setName(string(name)).setSystemName(string(systemName))
        .setFilename(string(l.filename())).setStartLine(l.startLine()));
    functions.put(key, id);
    return id;
  }
}
