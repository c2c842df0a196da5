package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * {@code go tool pprof} as the reference: its per-function flat and cumulative totals of
 * {@code -top}. Without {@code go} the tests are skipped locally and fail under {@code CI=true}.
 */
final class GoPprof {
  private GoPprof() {}

  record Totals(long flat, long cum) {}

  private static final Pattern ROW = Pattern.compile(
      "^\\s*(-?[0-9.]+)[a-zA-Z]*\\s+\\S+%\\s+\\S+%\\s+(-?[0-9.]+)[a-zA-Z]*\\s+\\S+%\\s+(.+)$");

  static String go() {
    for (String p : List.of("/usr/local/go/bin/go", "/usr/bin/go", "/usr/lib/go/bin/go")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    for (String d : path == null ? new String[0] : path.split(":")) {
      if (Files.isExecutable(Path.of(d, "go"))) {
        return Path.of(d, "go").toString();
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("go is not installed; CI needs it (apt package golang) for the pprof reference");
    }
    Assumptions.abort("go is not installed");
    return null;
  }

  /** Flat and cumulative per function of {@code go tool pprof -top} over {@code files} (merged by pprof). */
  static Map<String, Totals> top(String sampleIndex, String unit, List<Path> files) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(go(), "tool", "pprof", "-top", "-nodecount=1000000",
        "-nodefraction=0", "-edgefraction=0", "-trim=false", "-symbolize=none"));
    if (sampleIndex != null) {
      cmd.add("-sample_index=" + sampleIndex);
    }
    if (unit != null) {
      cmd.add("-unit=" + unit);
    }
    files.forEach(f -> cmd.add(f.toString()));
    Path errFile = Files.createTempFile("pprof", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(errFile.toFile());
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    pb.environment().put("PPROF_TMPDIR", System.getProperty("java.io.tmpdir"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(errFile) + out).isZero();
    Files.deleteIfExists(errFile);
    Map<String, Totals> rows = new TreeMap<>();
    boolean table = false;
    for (String line : out.split("\n")) {
      if (line.trim().startsWith("flat  flat%")) {
        table = true;
        continue;
      }
      if (!table) {
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        continue;
      }
      String name = m.group(3).replaceAll(" \\((partial-)?inline\\)$", "");
      Totals t = new Totals(Math.round(Double.parseDouble(m.group(1))), Math.round(Double.parseDouble(m.group(2))));
      rows.merge(name, t, (a, b) -> new Totals(a.flat + b.flat, a.cum + b.cum));
    }
    assertThat(table).as(out).isTrue();
    return rows;
  }

  /** Equal maps, or a failure listing only the entries that differ. */
  static void assertSame(Map<String, Totals> actual, Map<String, Totals> expected, String what) {
    Map<String, String> diff = new TreeMap<>();
    for (String k : new java.util.TreeSet<>(java.util.stream.Stream.concat(actual.keySet().stream(),
        expected.keySet().stream()).toList())) {
      if (!java.util.Objects.equals(actual.get(k), expected.get(k))) {
        diff.put(k, "actual " + actual.get(k) + " expected " + expected.get(k));
      }
    }
    assertThat(diff).as(what + ": " + actual.size() + " vs " + expected.size() + " functions").isEmpty();
  }

  /** pprof's base unit flag for a sample unit, so values print unscaled. */
  static String unit(String sampleUnit) {
    return switch (sampleUnit) {
      case "nanoseconds" -> "ns";
      case "bytes" -> "B";
      default -> null;
    };
  }
}
