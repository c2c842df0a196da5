package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Real ELF files compiled by {@code gcc} at test time, with their GNU build id and symbols per {@code readelf}. */
public final class Elves {
  private Elves() {}

  /** A compiled ELF: its path, build id, and {@code readelf -sW}'s FUNC symbols (name to value, size). */
  public record Elf(Path path, String buildId, Map<String, long[]> functions) {}

  /** Compiles {@code source} (C) with {@code gcc -g -Wl,--build-id} and {@code flags} into {@code dir/name}. */
  public static Elf compile(Path dir, String name, String source, String... flags)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path src = dir.resolve(name + ".c");
    Files.writeString(src, source);
    Path elf = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("gcc", "-g", "-O0", "-Wl,--build-id"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-o", elf.toString(), src.toString()));
    Process gcc = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(gcc.waitFor()).isZero();
    String notes = output("readelf", "-n", elf.toString());
    Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(notes);
    assertThat(m.find()).as(notes).isTrue();
    Map<String, long[]> functions = new LinkedHashMap<>();
    // "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
    Pattern sym = Pattern.compile("^\\s*\\d+:\\s+([0-9a-f]+)\\s+(\\d+)\\s+FUNC\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+(\\S+)");
    for (String line : output("readelf", "-sW", elf.toString()).split("\n")) {
      Matcher s = sym.matcher(line);
      if (s.find()) {
        functions.put(s.group(4), new long[] {Long.parseUnsignedLong(s.group(1), 16), Long.parseLong(s.group(2))});
      }
    }
    return new Elf(elf, m.group(1), functions);
  }

  private static String output(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
