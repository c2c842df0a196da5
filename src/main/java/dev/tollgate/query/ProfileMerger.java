package dev.tollgate.query;

import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Label;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges one sample type of many pprof profiles into one profile, as {@code go tool pprof -proto a b}
 * does: strings, functions, mappings and locations deduplicated by content; the values of samples
 * with the same stack and labels summed. Values live in {@code columns} parallel columns (a diff
 * keeps the compared profile in column 0 and the base in column 1). Not thread-safe; one per query.
 */
final class ProfileMerger {
  private final int columns;
  private final Map<String, Integer> strings = new HashMap<>();
  private final List<String> stringTable = new ArrayList<>();
  private final Map<FunctionKey, Integer> functions = new HashMap<>();
  private final List<Function> functionTable = new ArrayList<>();
  private final Map<MappingKey, Integer> mappings = new HashMap<>();
  private final List<Mapping> mappingTable = new ArrayList<>();
  private final Map<LocationKey, Integer> locations = new HashMap<>();
  private final List<Location> locationTable = new ArrayList<>();
  private final Map<StackKey, long[]> samples = new LinkedHashMap<>();
  private String sampleType;
  private String sampleUnit;
  private String periodType = "";
  private String periodUnit = "";
  private long period;
  private long timeNanos;
  private long durationNanos;
  private int profiles;

  ProfileMerger(int columns) {
    this.columns = columns;
    intern("");
  }

  /** Profiles added so far. */
  int profiles() {
    return profiles;
  }

  /**
   * Adds the values of sample type {@code valueIndex} of {@code p} to {@code column}.
   *
   * @throws IllegalArgumentException when an index in the profile points outside its tables
   */
  void add(Profile p, int valueIndex, int column) {
    List<String> st = p.getStringTableList();
    ValueType vt = p.getSampleType(valueIndex);
    if (sampleType == null) {
      sampleType = str(st, vt.getType());
      sampleUnit = str(st, vt.getUnit());
      periodType = str(st, p.getPeriodType().getType());
      periodUnit = str(st, p.getPeriodType().getUnit());
      period = p.getPeriod();
    }
    if (p.getTimeNanos() != 0 && (timeNanos == 0 || p.getTimeNanos() < timeNanos)) {
      timeNanos = p.getTimeNanos();
    }
    if (column == 0) {
      durationNanos += p.getDurationNanos();
    }
    profiles++;
    int[] stringMap = new int[st.size()];
    for (int i = 0; i < stringMap.length; i++) {
      stringMap[i] = intern(st.get(i));
    }
    IdMap functionMap = new IdMap(p.getFunctionCount());
    for (Function f : p.getFunctionList()) {
      FunctionKey k = new FunctionKey(idx(stringMap, f.getName()), idx(stringMap, f.getSystemName()),
          idx(stringMap, f.getFilename()), f.getStartLine());
      functionMap.put(f.getId(), functions.computeIfAbsent(k, key -> {
        int id = functionTable.size() + 1;
        functionTable.add(Function.newBuilder().setId(id).setName(key.name).setSystemName(key.systemName)
            .setFilename(key.filename).setStartLine(key.startLine).build());
        return id;
      }));
    }
    IdMap mappingMap = new IdMap(p.getMappingCount());
    for (Mapping m : p.getMappingList()) {
      MappingKey k = new MappingKey(m.getMemoryStart(), m.getMemoryLimit(), m.getFileOffset(),
          idx(stringMap, m.getFilename()), idx(stringMap, m.getBuildId()),
          (m.getHasFunctions() ? 1 : 0) | (m.getHasFilenames() ? 2 : 0) | (m.getHasLineNumbers() ? 4 : 0)
              | (m.getHasInlineFrames() ? 8 : 0));
      mappingMap.put(m.getId(), mappings.computeIfAbsent(k, key -> {
        int id = mappingTable.size() + 1;
        mappingTable.add(m.toBuilder().setId(id).setFilename(key.file).setBuildId(key.buildId).build());
        return id;
      }));
    }
    IdMap locationMap = new IdMap(p.getLocationCount());
    for (Location l : p.getLocationList()) {
      long[] lines = new long[l.getLineCount() * 3];
      for (int i = 0; i < l.getLineCount(); i++) {
        Line line = l.getLine(i);
        lines[i * 3] = line.getFunctionId() == 0 ? 0 : functionMap.get(line.getFunctionId(), "function");
        lines[i * 3 + 1] = line.getLine();
        lines[i * 3 + 2] = line.getColumn();
      }
      int mappingId = l.getMappingId() == 0 ? 0 : mappingMap.get(l.getMappingId(), "mapping");
      LocationKey k = new LocationKey(mappingId, l.getAddress(), l.getIsFolded(), lines);
      locationMap.put(l.getId(), locations.computeIfAbsent(k, key -> {
        int id = locationTable.size() + 1;
        Location.Builder b = Location.newBuilder().setId(id).setMappingId(key.mappingId).setAddress(key.address)
            .setIsFolded(key.folded);
        for (int i = 0; i < key.lines.length; i += 3) {
          b.addLine(Line.newBuilder().setFunctionId(key.lines[i]).setLine(key.lines[i + 1]).setColumn(key.lines[i + 2]));
        }
        locationTable.add(b.build());
        return id;
      }));
    }
    for (Sample s : p.getSampleList()) {
      long v = s.getValue(valueIndex);
      if (v == 0) {
        continue;
      }
      int n = s.getLocationIdCount();
      int[] key = new int[n + 1 + s.getLabelCount() * 5];
      key[0] = n;
      for (int i = 0; i < n; i++) {
        key[i + 1] = locationMap.get(s.getLocationId(i), "location");
      }
      if (s.getLabelCount() > 0) {
        labels(s.getLabelList(), stringMap, key, n + 1);
      }
      long[] acc = samples.computeIfAbsent(new StackKey(key), k -> new long[columns]);
      acc[column] += v;
    }
  }

  /** Labels as sorted 5-int tuples (key, str, num high, num low, unit) after {@code at}. */
  private static void labels(List<Label> labels, int[] stringMap, int[] key, int at) {
    int[][] tuples = new int[labels.size()][];
    for (int i = 0; i < tuples.length; i++) {
      Label l = labels.get(i);
      tuples[i] = new int[] {idx(stringMap, l.getKey()), idx(stringMap, l.getStr()), (int) (l.getNum() >>> 32),
          (int) l.getNum(), idx(stringMap, l.getNumUnit())};
    }
    Arrays.sort(tuples, Arrays::compare);
    for (int[] t : tuples) {
      System.arraycopy(t, 0, key, at, 5);
      at += 5;
    }
  }

  /** What was merged: tables, stacks and summed values, for the reports. */
  Merged result() {
    return new Merged(this);
  }

  private int intern(String s) {
    Integer i = strings.get(s);
    if (i != null) {
      return i;
    }
    int id = stringTable.size();
    strings.put(s, id);
    stringTable.add(s);
    return id;
  }

  private static int idx(int[] stringMap, long i) {
    if (i < 0 || i >= stringMap.length) {
      throw new IllegalArgumentException("string index " + i + " outside the string table of " + stringMap.length);
    }
    return stringMap[(int) i];
  }

  private static String str(List<String> st, long i) {
    return i >= 0 && i < st.size() ? st.get((int) i) : "";
  }

  /** The merge's outcome; stacks are output location ids, leaf first. */
  static final class Merged {
    final int columns;
    final List<String> strings;
    final List<Function> functions;
    final List<Mapping> mappings;
    final List<Location> locations;
    final Map<StackKey, long[]> samples;
    final String sampleType;
    final String sampleUnit;
    final String periodType;
    final String periodUnit;
    final long period;
    final long timeNanos;
    final long durationNanos;
    final int profiles;

    private Merged(ProfileMerger m) {
      this.columns = m.columns;
      this.strings = m.stringTable;
      this.functions = m.functionTable;
      this.mappings = m.mappingTable;
      this.locations = m.locationTable;
      this.samples = m.samples;
      this.sampleType = m.sampleType == null ? "" : m.sampleType;
      this.sampleUnit = m.sampleUnit == null ? "" : m.sampleUnit;
      this.periodType = m.periodType;
      this.periodUnit = m.periodUnit;
      this.period = m.period;
      this.timeNanos = m.timeNanos;
      this.durationNanos = m.durationNanos;
      this.profiles = m.profiles;
    }

    /** Location by output id (1-based). */
    Location location(int id) {
      return locations.get(id - 1);
    }

    Function function(long id) {
      return functions.get((int) id - 1);
    }

    /** Column 0 minus column 1 for a diff; column 0 otherwise. */
    long value(long[] v) {
      return columns == 2 ? v[0] - v[1] : v[0];
    }

    /** The merged profile (one sample type: the selected one; a diff's values are compared minus base). */
    Profile toProfile() {
      List<String> st = new ArrayList<>(strings);
      Map<String, Integer> extra = new HashMap<>();
      java.util.function.ToIntFunction<String> intern = s -> {
        int i = st.indexOf(s);
        if (i >= 0 && i < strings.size()) {
          return i;
        }
        return extra.computeIfAbsent(s, x -> {
          st.add(x);
          return st.size() - 1;
        });
      };
      Profile.Builder b = Profile.newBuilder()
          .addSampleType(ValueType.newBuilder().setType(intern.applyAsInt(sampleType)).setUnit(intern.applyAsInt(sampleUnit)))
          .setPeriodType(ValueType.newBuilder().setType(intern.applyAsInt(periodType)).setUnit(intern.applyAsInt(periodUnit)))
          .setPeriod(period).setTimeNanos(timeNanos).setDurationNanos(durationNanos)
          .addAllMapping(mappings).addAllLocation(locations).addAllFunction(functions);
      for (Map.Entry<StackKey, long[]> e : samples.entrySet()) {
        long v = value(e.getValue());
        if (v == 0) {
          continue;
        }
        int[] k = e.getKey().key;
        Sample.Builder s = Sample.newBuilder().addValue(v);
        int n = k[0];
        for (int i = 1; i <= n; i++) {
          s.addLocationId(k[i]);
        }
        for (int i = n + 1; i < k.length; i += 5) {
          s.addLabel(Label.newBuilder().setKey(k[i]).setStr(k[i + 1])
              .setNum(((long) k[i + 2] << 32) | (k[i + 3] & 0xffffffffL)).setNumUnit(k[i + 4]));
        }
        b.addSample(s);
      }
      return b.addAllStringTable(st).build();
    }
  }

  /** A stack (count, location ids leaf first) and its label tuples. */
  static final class StackKey {
    final int[] key;
    private final int hash;

    StackKey(int[] key) {
      this.key = key;
      this.hash = Arrays.hashCode(key);
    }

    int depth() {
      return key[0];
    }

    int location(int i) {
      return key[i + 1];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof StackKey k && k.hash == hash && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private record FunctionKey(int name, int systemName, int filename, long startLine) {}

  private record MappingKey(long start, long limit, long offset, int file, int buildId, int flags) {}

  private record LocationKey(int mappingId, long address, boolean folded, long[] lines) {
    @Override
    public boolean equals(Object o) {
      return o instanceof LocationKey k && k.mappingId == mappingId && k.address == address && k.folded == folded
          && Arrays.equals(k.lines, lines);
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(address) * 31 + mappingId) * 31 + Arrays.hashCode(lines);
    }
  }

  /** Input ids (any uint64) to output ids: an array when the ids are dense, as they nearly always are. */
  private static final class IdMap {
    private final int[] dense;
    private final Map<Long, Integer> sparse = new HashMap<>();

    IdMap(int count) {
      this.dense = new int[count * 2 + 2];
    }

    void put(long id, int value) {
      if (id > 0 && id < dense.length) {
        dense[(int) id] = value;
      } else {
        sparse.put(id, value);
      }
    }

    int get(long id, String what) {
      int v = id > 0 && id < dense.length ? dense[(int) id] : sparse.getOrDefault(id, 0);
      if (v == 0) {
        throw new IllegalArgumentException("unknown " + what + " id " + id);
      }
      return v;
    }
  }
}
