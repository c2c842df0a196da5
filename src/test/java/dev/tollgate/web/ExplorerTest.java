package dev.tollgate.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile explorer in chromium against the real server on SQLite: real pprof files written
 * over gRPC WriteRaw at 40, 30 and 20 minutes ago (the server's clock is moved to place them),
 * then read through Parca's QueryService from the console.
 */
class ExplorerTest {
  static final String CPU = "cpu:nanoseconds:cpu:nanoseconds";

  @TempDir Path dir;

  FakeClock clock;
  TestServer server;
  BrowserSession b;
  Page page;
  String org;
  String project;
  Profile fib;
  byte[] fibBytes;

  @BeforeEach
  void start() throws Exception {
    BrowserSession.requireChromium();
    Instant now = Instant.now();
    clock = new FakeClock(now.minus(Duration.ofMinutes(40)));
    server = TestServer.start(Backend.SQLITE, dir, c -> c, clock);
    org = server.organizationId();
    project = server.defaultProjectId();
    Path file = TestData.pprofFiles().stream().filter(p -> p.getFileName().toString().equals("fib.pb.gz"))
        .findFirst().orElseThrow();
    fibBytes = Files.readAllBytes(file);
    fib = parse(fibBytes);

    String token = server.mintToken("explorer-agent", "system:writer", project);
    write(token, "node-a"); // 40 min ago
    clock.advance(Duration.ofMinutes(10));
    write(token, "node-b"); // 30 min ago
    clock.advance(Duration.ofMinutes(10));
    write(token, "node-a"); // 20 min ago
    clock.advance(Duration.between(clock.instant(), Instant.now()));
    b = new BrowserSession(server.url());
    page = b.page;
  }

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    server.close();
  }

  void write(String token, String node) {
    LabelSet labels = LabelSet.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
        .addLabels(Label.newBuilder().setName("job").setValue("web"))
        .addLabels(Label.newBuilder().setName("node").setValue(node)).build();
    GrpcTestClients.stub(server.url(), token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(labels)
            .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(fibBytes)))).build());
  }

  static Profile parse(byte[] gzipped) throws Exception {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return Profile.parseFrom(in.readAllBytes());
    }
  }

  static int cpuIndex(Profile p) {
    for (int i = 0; i < p.getSampleTypeCount(); i++) {
      if (p.getStringTable((int) p.getSampleType(i).getType()).equals("cpu")) {
        return i;
      }
    }
    throw new AssertionError("no cpu sample type");
  }

  /** The cpu total of a pprof, summed over its samples. */
  static long cpuTotal(Profile p) {
    int i = cpuIndex(p);
    return p.getSampleList().stream().mapToLong(s -> s.getValue(i)).sum();
  }

  /** The cpu of the samples whose stack holds a function whose name contains {@code needle}. */
  static long cpuUnder(Profile p, String needle) {
    int i = cpuIndex(p);
    long sum = 0;
    for (var s : p.getSampleList()) {
      boolean hit = s.getLocationIdList().stream().anyMatch(id -> p.getLocationList().stream()
          .filter(l -> l.getId() == id).flatMap(l -> l.getLineList().stream())
          .anyMatch(line -> p.getFunctionList().stream().filter(f -> f.getId() == line.getFunctionId())
              .anyMatch(f -> p.getStringTable((int) f.getName()).contains(needle))));
      if (hit) {
        sum += s.getValue(i);
      }
    }
    return sum;
  }

  Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  /** Picks the cpu-nanoseconds type of the picker (its exact id, delta or not, is the server's). */
  String selectCpuType() {
    page.locator("#explore-type option").first().waitFor(
        new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
    List<String> values = page.locator("#explore-type option").all().stream().map(o -> o.getAttribute("value")).toList();
    String type = values.stream().filter(v -> v.startsWith("process_cpu:" + CPU)).findFirst().orElseThrow(
        () -> new AssertionError("no cpu type among " + values));
    page.getByLabel("Profile type").selectOption(type);
    return type;
  }

  /** Where a frame is drawn, scrolled into the viewport first. */
  java.util.Map<?, ?> frameAt(Locator flame, String frame) {
    return (java.util.Map<?, ?>) flame.evaluate("""
        (el, n) => {
          const at = el.locateFrame(n);
          if (!at) return null;
          window.scrollBy(0, at.y - innerHeight / 2);
          return el.locateFrame(n);
        }""", frame);
  }

  void mouseTo(Locator flame, String frame) {
    var at = frameAt(flame, frame);
    assertThat(at).as("frame " + frame + " is drawn").isNotNull();
    page.mouse().move(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
  }

  @Test
  void explorer_typeChartMergedFlameGraphZoomSearchTopAndDownload() throws Exception {
    long one = cpuTotal(fib);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project);
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Explore profiles")).click();
    page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Explore profiles")).waitFor();
    String type = selectCpuType();
    assertThat(page.locator(".explore-selector")).hasText(type + "{}");

    // The chart: one point per stored profile, in two series (node-a, node-b).
    Locator chart = page.locator(".chart");
    assertThat(chart).hasAttribute("data-points", "3");
    assertThat(page.locator(".chart-legend li")).hasCount(2);
    assertThat(chart).hasAttribute("data-total", String.valueOf(3 * one));

    // Without a selection the whole range is merged.
    Locator flame = page.locator(".flamegraph");
    assertThat(flame).hasAttribute("data-total", String.valueOf(3 * one));
    b.screenshot("explorer-whole-range");

    // Drag over the two oldest points: their merge.
    List<BoundingBox> points = page.locator(".chart-point").all().stream()
        .sorted(Comparator.comparing(l -> l.getAttribute("data-time")))
        .map(Locator::boundingBox).toList();
    BoundingBox first = points.get(0);
    BoundingBox second = points.get(1);
    double y = first.y + first.height / 2;
    page.mouse().move(first.x - 4, y);
    page.mouse().down();
    page.mouse().move(second.x + second.width + 4, y, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(5));
    page.mouse().up();
    Locator summary = page.locator(".explore-summary");
    assertThat(summary).hasAttribute("data-selected-points", "2");
    assertThat(summary).hasAttribute("data-selected-total", String.valueOf(2 * one));
    assertThat(flame).hasAttribute("data-total", String.valueOf(2 * one));

    // Hover names a known function with its total and self.
    mouseTo(flame, "math/big.addVV");
    assertThat(flame.locator(".flame-tip-name")).hasText("math/big.addVV");
    assertThat(flame.locator(".flame-tip-total")).containsText("%)");
    assertThat(flame.locator(".flame-tip-self")).containsText(" s (");

    // Click zooms on it; Reset zoom goes back to the root.
    var at = frameAt(flame, "math/big.nat.add");
    page.mouse().click(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
    assertThat(flame).hasAttribute("data-focus", "math/big.nat.add");
    assertThat(flame.locator(".flame-status")).containsText("Zoomed on math/big.nat.add");
    flame.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reset zoom")).click();
    assertThat(flame).hasAttribute("data-focus", "root");

    // Search: the share of the total under matching frames, as the pprof itself says.
    flame.getByLabel("Search frames").fill("addVV");
    assertThat(flame.locator(".flame-matches")).containsText("of the total");
    double expected = 100.0 * cpuUnder(fib, "addVV") / one;
    String shown = flame.getAttribute("data-match-percent");
    assertThat(Double.parseDouble(shown.replace("%", ""))).isCloseTo(expected, within(0.06));
    assertThat(Integer.parseInt(flame.getAttribute("data-matches"))).isPositive();
    b.screenshot("explorer-flamegraph-search");
    flame.screenshot(new Locator.ScreenshotOptions().setPath(BrowserSession.SCREENSHOTS.resolve("explorer-flamegraph.png")));
    chart.screenshot(new Locator.ScreenshotOptions().setPath(BrowserSession.SCREENSHOTS.resolve("explorer-chart.png")));

    // The top table, biggest flat first.
    Locator firstRow = page.locator(".top-table tbody tr").first();
    assertThat(firstRow.locator("td").nth(4)).hasText("math/big.addVV");

    // Download: a gzipped pprof of the selection whose total is the chart's.
    Download download = page.waitForDownload(() -> button("Download pprof").click());
    assertThat(download.suggestedFilename()).matches("process_cpu_cpu_nanoseconds_cpu_nanoseconds.*-\\d{8}T\\d{6}Z-\\d{8}T\\d{6}Z\\.pb\\.gz");
    Profile merged = parse(Files.readAllBytes(download.path()));
    assertThat(cpuTotal(merged)).isEqualTo(Long.parseLong(summary.getAttribute("data-selected-total")));

    // Clicking a point opens that single profile.
    page.locator(".chart-point").first().click();
    assertThat(page.locator(".explore-selection h2")).containsText("Profile at");
    assertThat(flame).hasAttribute("data-total", String.valueOf(one));
    b.assertClean();
  }

  @Test
  void labelMatchers_autocompleteNamesAndValues_andNarrowTheChart() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project + "/explore");
    String type = selectCpuType();
    assertThat(page.locator(".chart")).hasAttribute("data-points", "3");

    // A delta type charts as a rate on request: value over the profile's duration.
    page.getByLabel("Per second").check();
    Locator point = page.locator(".chart-point").first();
    assertThat(point).hasAttribute("aria-label", java.util.regex.Pattern.compile("/s$"));
    double rate = cpuTotal(fib) / (fib.getDurationNanos() / 1e9);
    assertThat(Double.parseDouble(point.getAttribute("data-value"))).isCloseTo(rate, within(rate * 1e-9));
    page.getByLabel("Per second").uncheck();
    assertThat(point).not().hasAttribute("aria-label", java.util.regex.Pattern.compile("/s$"));

    Locator box = page.getByLabel("Label matchers");
    box.fill("no");
    Locator options = page.locator(".matcher-box").getByRole(AriaRole.OPTION);
    assertThat(options).hasText(new String[] {"node"});
    options.first().click();
    assertThat(box).hasValue("node=");
    box.press("End");
    box.pressSequentially("\"");
    assertThat(options).hasText(new String[] {"node-a", "node-b"});
    box.press("ArrowDown");
    box.press("Enter");
    assertThat(box).hasValue("node=\"node-a\"");
    assertThat(page.locator(".explore-selector")).hasText(type + "{node=\"node-a\"}");
    button("Show").click();
    assertThat(page.locator(".chart")).hasAttribute("data-points", "2");

    // A matcher nothing matches: what to do, and when this type last arrived.
    box.fill("node=\"node-z\"");
    button("Show").click();
    assertThat(page.locator(".explore-chart")).containsText("No profiles of this type in this range; last received 20 min ago");

    // A selector the server refuses: its message, naming where.
    box.fill("node=~\"(\"");
    button("Show").click();
    assertThat(page.locator(".explore-chart .error")).containsText("1:");
    b.screenshot("explorer-bad-matcher");
    b.assertClean();
  }

  @Test
  void viewerReads_andAnEmptyRangeSaysWhenTheLastProfileCame() {
    var viewer = server.owner().post("/v1/organizations/" + org + "/users",
        json("email", "viewer@example.com", "password", "viewer-password-1", "role", "system:viewer"));
    assertThat(viewer.status()).as(viewer.body().toString()).isEqualTo(200);
    b.login("viewer@example.com", "viewer-password-1");
    b.open("#/projects/" + project + "/explore");
    selectCpuType();
    assertThat(page.locator(".chart")).hasAttribute("data-points", "3");
    assertThat(page.locator(".flamegraph")).hasAttribute("data-total", String.valueOf(3 * cpuTotal(fib)));

    // A custom range: from 35 to 25 minutes ago holds the middle profile only.
    page.getByLabel("Time range").selectOption("custom");
    java.time.format.DateTimeFormatter local = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
    java.time.ZoneId zone = java.time.ZoneId.of((String) page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone"));
    page.getByLabel("From").fill(local.format(Instant.now().minus(Duration.ofMinutes(35)).atZone(zone)));
    page.getByLabel("To").fill(local.format(Instant.now().minus(Duration.ofMinutes(25)).atZone(zone)));
    button("Show").click();
    assertThat(page.locator(".chart")).hasAttribute("data-points", "1");
    assertThat(page.locator(".chart-legend")).containsText("node-b");

    // The last 15 minutes hold nothing: say when the last profile came.
    page.getByLabel("Time range").selectOption("15m");
    assertThat(page.locator(".explore-chart")).containsText("No profiles in this time range; the last one arrived 20 min ago");
    b.assertClean();
  }

  @Test
  void userWithoutProfileRead_getsThePermissionMessage() {
    var writer = server.owner().post("/v1/organizations/" + org + "/users", json("email", "writer@example.com",
        "password", "writer-password-1", "role", "system:profile-writer", "projectId", project));
    assertThat(writer.status()).as(writer.body().toString()).isEqualTo(200);
    b.login("writer@example.com", "writer-password-1");
    b.open("#/projects/" + project + "/explore");
    Locator chart = page.locator(".explore-chart");
    assertThat(chart).containsText("You cannot read profiles in this project.");
    assertThat(chart).containsText("profile.read");
    assertThat(page.locator(".chart")).hasCount(0);
    b.screenshot("explorer-no-permission");
    b.assertClean();
  }
}
