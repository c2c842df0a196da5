package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.TopNode;
import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merges through the real server agree with {@code go tool pprof}: every real test file pushed
 * three times by WriteRaw, each of its sample types merged by Query (REPORT_TYPE_PPROF and
 * REPORT_TYPE_TOP), compared per function (flat and cumulative) with {@code go tool pprof -top}
 * over the same three inputs.
 */
class QueryMergeTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  @TempDir static Path dir;
  private static FakeClock clock;
  private static TestServer server;
  private static String project;
  private static String writer;
  private static String viewer;

  @BeforeAll
  static void start() throws Exception {
    GoPprof.go();
    clock = new FakeClock(T0);
    // replays each file as three profiles, which the retry window would take for one and its retries
    server = TestServer.start(Backend.SQLITE, dir.resolve("server"), c -> c.withRetryWindow(java.time.Duration.ZERO), clock);
    project = server.defaultProjectId();
    writer = server.mintToken("agent", "system:profile-writer", project);
    viewer = server.mintToken("reader", "system:viewer", null);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyRealFile_mergedThreeTimes_matchesGoPprofPerFunction() throws Exception {
    Instant from = clock.instant();
    List<Path> files = TestData.pprofFiles();
    for (int round = 0; round < 3; round++) {
      for (Path f : files) {
        Queries.push(server.url(), writer, project, Map.of("__name__", name(f), "job", "merge"), Files.readAllBytes(f));
      }
      clock.advance(Duration.ofSeconds(10));
    }
    Instant to = clock.instant();
    int compared = 0;
    for (Path f : files) {
      Profile original = PprofBlobs.decode(Files.readAllBytes(f));
      List<String> types = Queries.types(name(f), original);
      for (int i = 0; i < types.size(); i++) {
        String type = types.get(i);
        String unit = GoPprof.unit(original.getStringTable((int) original.getSampleType(i).getUnit()));
        Map<String, GoPprof.Totals> expected = GoPprof.top(String.valueOf(i), unit, List.of(f, f, f));

        QueryResponse pprof = Queries.query(server.url(), viewer, project)
            .query(Queries.merge(type + "{job=\"merge\"}", from, to, ReportType.REPORT_TYPE_PPROF));
        Path merged = dir.resolve(name(f) + "-" + i + ".pb.gz");
        Files.write(merged, pprof.getPprof().toByteArray());
        assertThat(Queries.gunzip(pprof.getPprof()).getSampleTypeCount()).isEqualTo(1);
        GoPprof.assertSame(GoPprof.top(null, unit, List.of(merged)), expected, type + " (go of Tollgate's pprof)");
        assertThat(pprof.getTotal()).as(type).isEqualTo(3 * total(original, i));

        QueryResponse top = Queries.query(server.url(), viewer, project)
            .query(Queries.merge(type, from, to, ReportType.REPORT_TYPE_TOP));
        GoPprof.assertSame(tollgateTop(top), expected, type + " (Tollgate's top)");
        assertThat(top.getTop().getUnit()).isEqualTo(original.getStringTable((int) original.getSampleType(i).getUnit()));
        compared++;
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(files.size());
  }

  @Test
  void differentProfilesOfOneType_areMergedWithTheirSymbolsDeduplicated() throws Exception {
    Instant from = clock.instant();
    Profile a = profile(List.of("main", "foo"), List.of(List.of("main", "foo")), List.of(5L), 0);
    // Other string and id order, a shared stack, a new one, a recursive one and an inlined frame.
    Profile b = profile(List.of("bar", "foo", "main"),
        List.of(List.of("main", "foo"), List.of("main", "bar"), List.of("main", "foo", "main", "foo")),
        List.of(3L, 2L, 7L), 0);
    Path fa = dir.resolve("a.pb");
    Path fb = dir.resolve("b.pb");
    Files.write(fa, a.toByteArray());
    Files.write(fb, b.toByteArray());
    Queries.push(server.url(), writer, project, Map.of("__name__", "made", "job", "made"), a.toByteArray());
    clock.advance(Duration.ofSeconds(10));
    Queries.push(server.url(), writer, project, Map.of("__name__", "made", "job", "made"), b.toByteArray());
    clock.advance(Duration.ofSeconds(10));
    String type = "made:cpu:nanoseconds:cpu:nanoseconds";

    QueryResponse r = Queries.query(server.url(), viewer, project)
        .query(Queries.merge(type, from, clock.instant(), ReportType.REPORT_TYPE_PPROF));
    Profile merged = Queries.gunzip(r.getPprof());
    assertThat(merged.getFunctionList()).extracting(fn -> merged.getStringTable((int) fn.getName()))
        .containsExactlyInAnyOrder("main", "foo", "bar");
    assertThat(merged.getSampleCount()).isEqualTo(3); // main>foo summed (5 + 3), main>bar, the recursive one
    Path out = dir.resolve("made.pb.gz");
    Files.write(out, r.getPprof().toByteArray());
    Map<String, GoPprof.Totals> expected = GoPprof.top(null, "ns", List.of(fa, fb));
    assertThat(expected).containsEntry("foo", new GoPprof.Totals(15_000, 15_000))
        .containsEntry("main", new GoPprof.Totals(0, 17_000));
    assertThat(GoPprof.top(null, "ns", List.of(out))).isEqualTo(expected);
    assertThat(tollgateTop(Queries.query(server.url(), viewer, project)
        .query(Queries.merge(type, from, clock.instant(), ReportType.REPORT_TYPE_TOP)))).isEqualTo(expected);
  }

  /** A cpu profile whose stacks (root first) name functions; function and location ids follow {@code order}. */
  static Profile profile(List<String> order, List<List<String>> stacks, List<Long> values, int idOffset) {
    List<String> strings = new ArrayList<>(List.of("", "cpu", "nanoseconds", "main.go"));
    strings.addAll(order);
    Profile.Builder p = Profile.newBuilder()
        .addSampleType(ValueType.newBuilder().setType(1).setUnit(2))
        .setPeriodType(ValueType.newBuilder().setType(1).setUnit(2)).setPeriod(10_000_000)
        .setTimeNanos(1_700_000_000_000_000_000L);
    for (int i = 0; i < order.size(); i++) {
      long id = idOffset + i + 1;
      p.addFunction(Function.newBuilder().setId(id).setName(4 + i).setSystemName(4 + i).setFilename(3));
      // the same function is at the same address (and line) in every profile, whatever its id
      p.addLocation(Location.newBuilder().setId(id).setAddress(0x1000 + (order.get(i).hashCode() & 0xfff))
          .addLine(Line.newBuilder().setFunctionId(id).setLine(order.get(i).length())));
    }
    for (int s = 0; s < stacks.size(); s++) {
      List<String> rootFirst = new ArrayList<>(stacks.get(s));
      Collections.reverse(rootFirst);
      Sample.Builder sb = Sample.newBuilder().addValue(values.get(s) * 1000);
      for (String fn : rootFirst) {
        sb.addLocationId(idOffset + order.indexOf(fn) + 1);
      }
      p.addSample(sb);
    }
    return p.addAllStringTable(strings).build();
  }

  static Map<String, GoPprof.Totals> tollgateTop(QueryResponse r) {
    Map<String, GoPprof.Totals> out = new TreeMap<>();
    for (TopNode n : r.getTop().getListList()) {
      out.merge(n.getMeta().getFunction().getName(), new GoPprof.Totals(n.getFlat(), n.getCumulative()),
          (x, y) -> new GoPprof.Totals(x.flat() + y.flat(), x.cum() + y.cum()));
    }
    return out;
  }

  private static long total(Profile p, int i) {
    return p.getSampleList().stream().mapToLong(s -> s.getValue(i)).sum();
  }

  static String name(Path f) {
    return "t_" + f.getFileName().toString().replace(".pb.gz", "").replace('-', '_');
  }
}
