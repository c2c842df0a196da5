package dev.tollgate.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The REST client of the command line: sends JSON with {@code Authorization: Bearer <token>} and
 * turns every failure into a {@link CliException} with its exit code - the one place where HTTP
 * statuses become {@link ExitCodes}. The token is never part of a message or of {@link #toString()}.
 */
public final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final String base;
  private final String token;

  /**
   * @param server base URL such as {@code http://localhost:7070}; a trailing slash is ignored
   * @param token the bearer token, already trimmed; must not contain control characters
   */
  public ApiClient(HttpClient http, String server, String token) {
    this.http = requireNonNull(http, "http");
    this.base = stripTrailingSlash(requireNonNull(server, "server"));
    this.token = requireNonNull(token, "token");
    URI parsed;
    try {
      parsed = URI.create(this.base);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--server: '" + server + "' is not a URL");
    }
    if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme()) || parsed.getHost() == null) {
      throw new CliException(ExitCodes.USAGE, "--server: '" + server + "' is not an http:// or https:// URL");
    }
    if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      // Constant message: the value itself must not be echoed.
      throw new CliException(ExitCodes.UNAUTHENTICATED, "the token is empty or contains spaces or control characters");
    }
  }

  public String server() {
    return base;
  }

  public JsonNode get(String path) {
    return send("GET", path, null);
  }

  public JsonNode post(String path, JsonNode body) {
    return send("POST", path, body == null ? JSON.createObjectNode() : body);
  }

  public JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  /** Sends one request; returns the parsed body (an empty object for an empty body) of a 2xx answer. */
  public JsonNode send(String method, String path, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(TIMEOUT)
        .header("accept", "application/json")
        .header("authorization", "Bearer " + token);
    if (body != null) {
      b.header("content-type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new CliException(ExitCodes.UNREACHABLE, "no answer from " + base + " within " + TIMEOUT.toSeconds() + "s");
    } catch (IOException e) {
      throw new CliException(ExitCodes.UNREACHABLE, "cannot reach " + base + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.UNREACHABLE, "interrupted while calling " + base);
    }
    JsonNode parsed = parse(r.body());
    if (r.statusCode() / 100 == 2) {
      if (parsed == null) {
        throw new CliException(ExitCodes.SERVER_ERROR, "the server at " + base + " answered " + method + " " + path
            + " with something that is not JSON; is --server pointing at Tollgate?");
      }
      return parsed;
    }
    throw new CliException(exitCodeFor(r.statusCode()), errorMessage(r.statusCode(), parsed));
  }

  /** The exit code of a refused request with this HTTP status. */
  public static int exitCodeFor(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> ExitCodes.UNAUTHENTICATED;
      case 403 -> ExitCodes.PERMISSION_DENIED;
      case 404 -> ExitCodes.NOT_FOUND;
      case 409, 412 -> ExitCodes.CONFLICT;
      case 429 -> ExitCodes.QUOTA_EXCEEDED;
      default -> ExitCodes.SERVER_ERROR;
    };
  }

  /** A path segment, percent-encoded (ids are UUIDs, but names typed by users may be anything). */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query parameter value, percent-encoded. */
  public static String query(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  private static String errorMessage(int status, JsonNode body) {
    if (body != null && body.hasNonNull("message")) {
      String m = body.get("message").asText();
      if (body.hasNonNull("field") && !m.contains(body.get("field").asText())) {
        m += " (field " + body.get("field").asText() + ")";
      }
      return m;
    }
    return "HTTP " + status + " from the server";
  }

  private static JsonNode parse(String s) {
    if (s == null || s.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
          : e.getClass().getSimpleName();
    }
    return m;
  }

  private static String stripTrailingSlash(String s) {
    String t = s.strip();
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  @Override
  public String toString() {
    return "ApiClient[" + base + ", token=<secret>]";
  }
}
