package dev.tollgate.query;

import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads pprof profiles back by their ids and string indexes, for assertions. */
final class Pprofs {
  private Pprofs() {}

  /**
   * Each sample's stack, leaf first, as {@code frame;frame;...} to its value: a frame is its
   * functions' names innermost first joined by {@code >}, or {@code 0x<address>@<build id>} when it
   * has no lines.
   */
  static Map<String, Long> stacks(Profile p) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Sample s : p.getSampleList()) {
      List<String> frames = new ArrayList<>();
      for (long id : s.getLocationIdList()) {
        frames.add(frame(p, location(p, id)));
      }
      out.merge(String.join(";", frames), s.getValue(0), Long::sum);
    }
    return out;
  }

  static String frame(Profile p, Location l) {
    if (l.getLineCount() == 0) {
      Mapping m = mapping(p, l.getMappingId());
      return "0x" + Long.toHexString(l.getAddress()) + "@" + (m == null ? "" : p.getStringTable((int) m.getBuildId()));
    }
    List<String> names = new ArrayList<>();
    for (Line line : l.getLineList()) {
      names.add(p.getStringTable((int) function(p, line.getFunctionId()).getName()));
    }
    return String.join(">", names);
  }

  static Location location(Profile p, long id) {
    Location l = p.getLocation((int) id - 1);
    if (l.getId() != id) {
      throw new AssertionError("location ids are not sequential: " + id + " at " + (id - 1));
    }
    return l;
  }

  static Function function(Profile p, long id) {
    Function f = p.getFunction((int) id - 1);
    if (f.getId() != id) {
      throw new AssertionError("function ids are not sequential: " + id);
    }
    return f;
  }

  static Mapping mapping(Profile p, long id) {
    if (id == 0) {
      return null;
    }
    Mapping m = p.getMapping((int) id - 1);
    if (m.getId() != id) {
      throw new AssertionError("mapping ids are not sequential: " + id);
    }
    return m;
  }

  static String string(Profile p, long index) {
    return p.getStringTable((int) index);
  }

  /** The function called {@code name}. */
  static Function function(Profile p, String name) {
    return p.getFunctionList().stream().filter(f -> string(p, f.getName()).equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no function " + name));
  }
}
