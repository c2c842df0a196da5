package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Google's pprof ({@code go tool pprof}) as an independent reader of the profiles we produce.
 * Without {@code go} on the PATH the calling test is skipped, except under {@code CI=true}, where
 * it fails.
 */
public final class GoPprof {
  private static final Pattern ROW = Pattern.compile("^\\s*(-?[0-9.]+)\\S*\\s+\\S+%\\s+\\S+%\\s+(-?[0-9.]+)\\S*\\s+\\S+%\\s+(.+)$");

  private GoPprof() {}

  /** {@code go tool pprof -top -nodecount=1000 -symbolize=none}: function (or frame) name to its flat value. */
  public static Map<String, Long> flat(Path profile) throws IOException, InterruptedException {
    String out = run(profile, "-top", "-nodecount=1000", "-symbolize=none");
    Map<String, Long> flat = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        flat.put(m.group(3).trim(), Long.parseLong(m.group(1)));
      }
    }
    assertThat(flat).as(out).isNotEmpty();
    return flat;
  }

  /** The output of {@code go tool pprof <args> <profile>}; it must exit 0. */
  public static String run(Path profile, String... args) throws IOException, InterruptedException {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean haveGo = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, "go")));
    if (!haveGo) {
      assertThat(ci).as("go is required under CI=true for the pprof cross-check").isFalse();
      Assumptions.abort("go is not installed");
    }
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("go", "tool", "pprof"));
    cmd.addAll(java.util.List.of(args));
    cmd.add(profile.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HOME", profile.getParent().toString()); // pprof may write ~/pprof
    pb.environment().put("GOCACHE", profile.getParent().resolve("gocache").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
