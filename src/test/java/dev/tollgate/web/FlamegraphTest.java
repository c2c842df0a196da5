package dev.tollgate.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's canvas flame graph (web/js/flamegraph.js) in chromium, served by the real server
 * under its content security policy, on a generated 50,000-node Flamegraph message: it renders,
 * and hover, zoom and search answer with the values of the generated tree.
 */
class FlamegraphTest {
  @TempDir Path dir;

  TestServer server;
  BrowserSession b;
  Page page;

  @BeforeEach
  void start() throws Exception {
    BrowserSession.requireChromium();
    server = TestServer.start(Backend.SQLITE, dir);
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

  static String script(String name) throws IOException {
    try (InputStream in = FlamegraphTest.class.getResourceAsStream("/explorer/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  Map<?, ?> locate(String frame) {
    return (Map<?, ?>) page.evaluate("n => document.getElementById('big-flamegraph').locateFrame(n)", frame);
  }

  void mouseTo(Map<?, ?> at) {
    page.mouse().move(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
  }

  @Test
  void fiftyThousandNodes_renderAndAnswerHoverZoomAndSearch() throws Exception {
    b.open("#/login");
    page.getByLabel("Email").waitFor();
    Map<?, ?> r = (Map<?, ?>) page.evaluate(script("big-flamegraph.js"), Map.of("size", 50_000, "search", "pkg7."));
    Locator fg = page.locator("#big-flamegraph");
    long total = ((Number) r.get("total")).longValue();
    assertThat(fg).hasAttribute("data-nodes", "50000");
    assertThat(fg).hasAttribute("data-total", String.valueOf(total));
    assertThat(fg.locator(".flame-status")).containsText("50,000 frames");

    // Hover: name, total and self with units and percent of the total.
    mouseTo(locate("main"));
    Locator tip = fg.locator(".flame-tip");
    assertThat(tip).isVisible();
    assertThat(tip.locator(".flame-tip-name")).hasText("main");
    assertThat(tip.locator(".flame-tip-total")).containsText("(100.0%)");
    assertThat(tip.locator(".flame-tip-self")).hasText("1 µs (" + percentText(1000, total) + ")");
    assertThat(tip).containsText("/src/main.go");

    // Click zooms on the frame; clicking root zooms back out.
    String child = (String) r.get("widestChild");
    Map<?, ?> at = locate(child);
    page.mouse().click(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
    assertThat(fg).hasAttribute("data-focus", child);
    assertThat(fg).hasAttribute("data-focus-total", String.valueOf(((Number) r.get("widestChildTotal")).longValue()));
    assertThat(fg.locator(".flame-status")).containsText("Zoomed on " + child);
    at = locate("root");
    page.mouse().click(((Number) at.get("x")).doubleValue(), ((Number) at.get("y")).doubleValue());
    assertThat(fg).hasAttribute("data-focus", "root");

    // Search counts matching frames and the share of the total under them.
    fg.getByLabel("Search frames").fill("pkg7.");
    assertThat(fg).hasAttribute("data-matches", String.valueOf(((Number) r.get("matches")).longValue()));
    String shown = fg.getAttribute("data-match-percent");
    assertThat(Double.parseDouble(shown.replace("%", "")))
        .isCloseTo(((Number) r.get("matchedPercent")).doubleValue(), within(0.06));
    assertThat(fg.locator(".flame-matches")).containsText(r.get("matches") + " matching frames");
    b.screenshot("flamegraph-50k-search");
    b.assertClean();

    System.out.printf("flamegraph 50k nodes: first render %.1f ms, one hover %.2f ms (chromium, headless)%n",
        ((Number) r.get("renderMs")).doubleValue(), ((Number) r.get("hoverMs")).doubleValue());
  }

  /** The console's percent format (units.js). */
  static String percentText(double value, double total) {
    double p = 100 * value / total;
    return (p >= 10 ? String.format(java.util.Locale.ROOT, "%.1f", p)
        : new java.math.BigDecimal(p).round(new java.math.MathContext(2)).toPlainString()) + "%";
  }
}
