package dev.tollgate.query;

import dev.tollgate.proto.parca.query.v1alpha1.Top;
import dev.tollgate.proto.parca.query.v1alpha1.TopNode;
import dev.tollgate.proto.parca.query.v1alpha1.TopNodeMeta;
import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flat and cumulative value per function, as {@code go tool pprof -top} counts them: flat to the
 * innermost frame of a stack's leaf location, cumulative once per function per stack (recursion
 * counts once). Functions are keyed by name, as pprof's default {@code -functions} granularity
 * does; frames without a function by their mapping's file ({@code [libc.so.6]}), else address. Sorted by flat, then cumulative, descending, then name.
 */
final class TopReport {
  private TopReport() {}

  private static final class Row {
    final String name;
    final String file;
    final Mapping mapping;
    final Location location;
    long flat;
    long cum;
    long flatBase;
    long cumBase;

    Row(String name, String file, Mapping mapping, Location location) {
      this.name = name;
      this.file = file;
      this.mapping = mapping;
      this.location = location;
    }
  }

  static Top build(ProfileMerger.Merged m) {
    Map<String, Row> rows = new HashMap<>();
    // per location: the row keys of its frames, innermost first
    Row[][] frames = new Row[m.locations.size() + 1][];
    for (int id = 1; id <= m.locations.size(); id++) {
      Location l = m.location(id);
      Mapping mapping = l.getMappingId() == 0 ? null : m.mappings.get((int) l.getMappingId() - 1);
      if (l.getLineCount() == 0) {
        // as go tool pprof names unsymbolized frames: by the mapping's file, else by address
        String file = mapping == null ? "" : m.strings.get((int) mapping.getFilename());
        String name = file.isEmpty() ? "0x" + Long.toHexString(l.getAddress())
            : "[" + file.substring(file.lastIndexOf('/') + 1) + "]";
        frames[id] = new Row[] {rows.computeIfAbsent("\u0001" + file + "\u0000" + name,
            k -> new Row(name, "", mapping, l))};
        continue;
      }
      Row[] fs = new Row[l.getLineCount()];
      for (int i = 0; i < fs.length; i++) {
        Function f = m.function(l.getLine(i).getFunctionId());
        String fn = m.strings.get((int) f.getName());
        String name = fn.isEmpty() ? "<unknown>" : fn; // as pprof prints a function without a name
        String file = m.strings.get((int) f.getFilename());
        fs[i] = rows.computeIfAbsent(name, k -> new Row(name, file, mapping, l));
      }
      frames[id] = fs;
    }
    Map<Row, Boolean> seen = new java.util.IdentityHashMap<>();
    for (Map.Entry<ProfileMerger.StackKey, long[]> e : m.samples.entrySet()) {
      ProfileMerger.StackKey k = e.getKey();
      long[] v = e.getValue();
      long base = m.columns == 2 ? v[1] : 0;
      if (k.depth() == 0) {
        continue;
      }
      Row leaf = frames[k.location(0)][0];
      leaf.flat += v[0];
      leaf.flatBase += base;
      seen.clear();
      for (int i = 0; i < k.depth(); i++) {
        for (Row r : frames[k.location(i)]) {
          if (seen.put(r, Boolean.TRUE) == null) {
            r.cum += v[0];
            r.cumBase += base;
          }
        }
      }
    }
    List<Row> sorted = new ArrayList<>(rows.values());
    sorted.sort(Comparator.comparingLong((Row r) -> -Math.abs(r.flat)).thenComparingLong(r -> -Math.abs(r.cum))
        .thenComparing(r -> r.name));
    Top.Builder top = Top.newBuilder().setUnit(m.sampleUnit);
    for (Row r : sorted) {
      if (r.flat == 0 && r.cum == 0 && r.flatBase == 0 && r.cumBase == 0) {
        continue;
      }
      TopNodeMeta.Builder meta = TopNodeMeta.newBuilder()
          .setFunction(dev.tollgate.proto.parca.metastore.v1alpha1.Function.newBuilder().setName(r.name)
              .setFilename(r.file));
      if (r.mapping != null) {
        meta.setMapping(FlamegraphTable.mapping(m, r.mapping));
      }
      if (r.location.getLineCount() == 0) {
        meta.setLocation(dev.tollgate.proto.parca.metastore.v1alpha1.Location.newBuilder()
            .setAddress(r.location.getAddress()));
      }
      top.addList(TopNode.newBuilder().setMeta(meta).setFlat(r.flat).setCumulative(r.cum)
          .setDiff(m.columns == 2 ? r.cum - r.cumBase : 0));
    }
    return top.setReported(top.getListCount()).setTotal(top.getListCount()).build();
  }

  static long total(ProfileMerger.Merged m) {
    long t = 0;
    for (long[] v : m.samples.values()) {
      t += v[0];
    }
    return t;
  }
}
