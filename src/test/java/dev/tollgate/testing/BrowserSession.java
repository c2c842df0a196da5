package dev.tollgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless chromium driven by Playwright against a {@link TestServer}. Records every
 * JavaScript dialog (alert/confirm - none are expected: the console uses its own dialogs), every
 * uncaught page error and every content-security-policy violation, and writes screenshots under
 * {@code target/screenshots/}.
 */
public final class BrowserSession implements AutoCloseable {
  public static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  public static final Path SCREENSHOTS = Paths.get("target", "screenshots");

  private final Playwright playwright;
  private final Browser browser;
  private final BrowserContext context;
  private final String baseUrl;
  public final Page page;
  /** Messages of alert/confirm/prompt dialogs the page opened. */
  public final List<String> jsDialogs = new CopyOnWriteArrayList<>();
  /** Uncaught errors in the page. */
  public final List<String> pageErrors = new CopyOnWriteArrayList<>();
  /** What the server's Content-Security-Policy made the browser refuse. */
  public final List<String> policyViolations = new CopyOnWriteArrayList<>();

  /** Skips the test when chromium is missing, except on CI where that is a failure. */
  public static void requireChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail(CHROMIUM + " is missing; browser tests must run on CI");
      }
      Assumptions.abort(CHROMIUM + " is missing; browser tests skipped outside CI");
    }
  }

  public BrowserSession(String baseUrl) {
    requireChromium();
    this.baseUrl = baseUrl;
    playwright = Playwright.create();
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(CHROMIUM)
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run")));
    context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 860));
    context.grantPermissions(List.of("clipboard-read", "clipboard-write"), new BrowserContext.GrantPermissionsOptions()
        .setOrigin(baseUrl));
    context.setDefaultTimeout(15_000);
    page = context.newPage();
    page.onDialog(d -> {
      jsDialogs.add(d.type() + ": " + d.message());
      d.dismiss();
    });
    page.onPageError(pageErrors::add);
    page.onConsoleMessage(m -> {
      if (m.text().contains("Content Security Policy")) {
        policyViolations.add(m.text());
      }
    });
  }

  public Page open(String hash) {
    page.navigate(baseUrl + "/" + hash);
    return page;
  }

  public void login(String email, String password) {
    open("#/login");
    page.getByLabel("Email").fill(email);
    page.getByLabel("Password").fill(password);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log out")).waitFor();
  }

  public void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }

  /** No alert ran, no script failed, and the content security policy refused nothing. */
  public void assertClean() {
    assertThat(jsDialogs).as("JavaScript dialogs").isEmpty();
    assertThat(pageErrors).as("page errors").isEmpty();
    assertThat(policyViolations).as("content security policy violations").isEmpty();
  }

  @Override
  public void close() {
    playwright.close();
  }
}
