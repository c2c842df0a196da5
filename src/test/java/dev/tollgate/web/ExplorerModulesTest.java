package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's pure functions, table-driven, run in chromium on the modules the server serves:
 * where the caret is in a label-matcher text (what to suggest) and values with their units.
 */
class ExplorerModulesTest {
  @TempDir static Path dir;

  static TestServer server;
  static BrowserSession b;
  static Page page;

  @BeforeAll
  static void start() throws Exception {
    BrowserSession.requireChromium();
    server = TestServer.start(Backend.SQLITE, dir);
    b = new BrowserSession(server.url());
    page = b.page;
    b.open("#/login");
    page.getByLabel("Email").waitFor();
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (server != null) {
      server.close();
    }
  }

  record Caret(String before, String kind, String label, String prefix) {}

  @Test
  void caretContext_saysWhetherANameOrAValueIsBeingTyped() {
    List<Caret> table = List.of(
        new Caret("", "name", null, ""),
        new Caret("jo", "name", null, "jo"),
        new Caret("job=\"web\", no", "name", null, "no"),
        new Caret("job=", "value", "job", ""),
        new Caret("job=~", "value", "job", ""),
        new Caret("job != ", "value", "job", ""),
        new Caret("job=\"we", "value", "job", "we"),
        new Caret("job!~\"a\\\"b", "value", "job", "a\\\"b"),
        new Caret("job=\"web\", node=\"", "value", "node", ""),
        new Caret("job=\"web\"", null, null, null));
    for (Caret c : table) {
      Object got = page.evaluate("async (t) => (await import('/js/matchers.js')).caretContext(t)", c.before());
      if (c.kind() == null) {
        assertThat(got).as(c.before()).isNull();
        continue;
      }
      Map<?, ?> m = (Map<?, ?>) got;
      assertThat(m.get("kind")).as(c.before()).isEqualTo(c.kind());
      assertThat(m.get("prefix")).as(c.before()).isEqualTo(c.prefix());
      assertThat(m.get("label")).as(c.before()).isEqualTo(c.label());
    }
  }

  @Test
  void formatValue_usesTheUnit() {
    List<List<String>> table = List.of(
        List.of("0", "nanoseconds", "0 ns"),
        List.of("999", "nanoseconds", "999 ns"),
        List.of("1500", "nanoseconds", "1.5 µs"),
        List.of("29740000000", "nanoseconds", "29.74 s"),
        List.of("89220000000", "nanoseconds", "89.22 s"),
        List.of("1023", "bytes", "1,023 B"),
        List.of("1536", "bytes", "1.5 KiB"),
        List.of("5242880", "bytes", "5 MiB"),
        List.of("12", "count", "12"),
        List.of("12345", "count", "12.35 k"),
        List.of("3000000", "", "3 M"));
    for (List<String> row : table) {
      Object got = page.evaluate("async ([v, u]) => (await import('/js/units.js')).formatValue(v, u)", row.subList(0, 2));
      assertThat(got).as(row.toString()).isEqualTo(row.get(2));
    }
  }
}
