package dev.tollgate.cli;

import static java.util.Objects.requireNonNull;

import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate sample-profile FILE}: writes a small, valid gzipped pprof CPU profile (a
 * made-up web server's stacks, timestamped now), so the quickstart's {@code push} needs no
 * profiled program at hand. Never overwrites a file.
 */
@Command(name = "sample-profile", mixinStandardHelpOptions = true,
    description = {"Write a small sample CPU profile (gzipped pprof, timestamped now) to FILE, to try 'tollgate push'",
        "with. Refuses to overwrite FILE."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {" 0:written", " 6:FILE already exists", " 8:FILE cannot be written"})
final class SampleProfileCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the profile, e.g. cpu.pb.gz.")
  Path file;

  @Override
  public Integer call() {
    byte[] gz = gzip(profile(clock().instant()).toByteArray());
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(gz);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new CliException(ExitCodes.CONFLICT, file + " already exists; remove it or choose another name");
    } catch (IOException e) {
      throw new CliException(ExitCodes.SERVER_ERROR, "cannot write " + file + ": " + LocalFiles.describe(file, e));
    }
    var out = spec.commandLine().getOut();
    out.println("wrote " + file + " (" + gz.length + " bytes, a CPU profile of 10 seconds)");
    out.flush();
    return ExitCodes.OK;
  }

  private java.time.InstantSource clock() {
    return spec.root().userObject() instanceof Main m ? m.clock() : java.time.InstantSource.system();
  }

  /** The stacks, leaf last as read, and how many 10 ms samples each got. */
  private static final Map<List<String>, Integer> STACKS = stacks();

  private static Map<List<String>, Integer> stacks() {
    Map<List<String>, Integer> m = new LinkedHashMap<>();
    m.put(List.of("main", "http.serve", "handler.search", "index.lookup"), 310);
    m.put(List.of("main", "http.serve", "handler.search", "json.encode"), 120);
    m.put(List.of("main", "http.serve", "handler.upload", "gzip.decompress"), 205);
    m.put(List.of("main", "http.serve", "handler.upload", "sha256.sum"), 90);
    m.put(List.of("main", "http.serve", "tls.handshake"), 60);
    m.put(List.of("main", "gc.background"), 45);
    return m;
  }

  /** A CPU profile as Go's runtime writes it: samples/count and cpu/nanoseconds, 10 ms period. */
  static Profile profile(Instant at) {
    requireNonNull(at, "at");
    List<String> strings = new ArrayList<>(List.of(""));
    Map<String, Long> index = new LinkedHashMap<>();
    java.util.function.Function<String, Long> str = s -> index.computeIfAbsent(s, k -> {
      strings.add(k);
      return (long) strings.size() - 1;
    });
    long period = Duration.ofMillis(10).toNanos();
    Profile.Builder p = Profile.newBuilder()
        .addSampleType(ValueType.newBuilder().setType(str.apply("samples")).setUnit(str.apply("count")))
        .addSampleType(ValueType.newBuilder().setType(str.apply("cpu")).setUnit(str.apply("nanoseconds")))
        .setPeriodType(ValueType.newBuilder().setType(str.apply("cpu")).setUnit(str.apply("nanoseconds")))
        .setPeriod(period)
        .setTimeNanos(at.getEpochSecond() * 1_000_000_000L + at.getNano())
        .setDurationNanos(Duration.ofSeconds(10).toNanos())
        .addMapping(Mapping.newBuilder().setId(1).setMemoryStart(0x400000).setMemoryLimit(0x800000)
            .setFilename(str.apply("/usr/local/bin/sample-server")).setHasFunctions(true));
    Map<String, Long> locations = new LinkedHashMap<>();
    for (Map.Entry<List<String>, Integer> stack : STACKS.entrySet()) {
      Sample.Builder sample = Sample.newBuilder().addValue(stack.getValue()).addValue(stack.getValue() * period);
      List<String> frames = stack.getKey();
      for (int i = frames.size() - 1; i >= 0; i--) { // pprof lists the leaf first
        String name = frames.get(i);
        long id = locations.computeIfAbsent(name, n -> {
          long next = locations.size() + 1;
          p.addFunction(Function.newBuilder().setId(next).setName(str.apply(n)).setSystemName(str.apply(n))
              .setFilename(str.apply(n.replaceAll("\\..*", "") + ".go")));
          p.addLocation(Location.newBuilder().setId(next).setMappingId(1).setAddress(0x401000 + next * 0x40)
              .addLine(Line.newBuilder().setFunctionId(next).setLine(10 * next)));
          return next;
        });
        sample.addLocationId(id);
      }
      p.addSample(sample);
    }
    return p.addAllStringTable(strings).build();
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in memory: cannot happen
    }
    return bytes.toByteArray();
  }
}
