package dev.tollgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A REST client for tests: remembers the session cookie and CSRF token after a login, or sends
 * a bearer token. Every call returns status and parsed body; nothing is asserted here. Given
 * several base URLs (servers sharing one database), it sends each request to the next in turn,
 * as a round-robin load balancer would.
 */
public final class Api {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One answer. */
  public record Response(int status, JsonNode body, java.net.http.HttpHeaders headers) {
    public String text(String field) {
      return body.path(field).asText();
    }

    public String error() {
      return body.path("message").asText();
    }
  }

  /** A response whose body is kept as bytes (a profile download). */
  public record Bytes(int status, byte[] body, java.net.http.HttpHeaders headers) {}

  private final java.util.List<String> bases;
  private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
  private String cookie;
  private String csrf;
  private String bearer;
  private final java.util.Map<String, String> extraHeaders = new java.util.LinkedHashMap<>();

  public Api(String base) {
    this(java.util.List.of(base));
  }

  /** A client sending each request to the next of {@code bases}, round robin. */
  public Api(java.util.List<String> bases) {
    if (bases.isEmpty()) {
      throw new IllegalArgumentException("no base URL");
    }
    this.bases = java.util.List.copyOf(bases);
  }

  public static Api login(String base, String email, String password) {
    return login(java.util.List.of(base), email, password);
  }

  /** Logs in through the first of {@code bases}; later requests go round robin. */
  public static Api login(java.util.List<String> bases, String email, String password) {
    Api api = new Api(bases);
    Response r = api.post("/v1/auth/login", json("email", email, "password", password));
    if (r.status() != 200) {
      throw new IllegalStateException("login failed: " + r.status() + " " + r.body());
    }
    return api;
  }

  public static Api withToken(String base, String token) {
    return withToken(java.util.List.of(base), token);
  }

  public static Api withToken(java.util.List<String> bases, String token) {
    Api api = new Api(bases);
    api.bearer = token;
    return api;
  }

  /** Drops the CSRF token (to test that it is required). */
  public Api withoutCsrf() {
    Api copy = new Api(bases);
    copy.cookie = cookie;
    return copy;
  }

  /** Sends this header with every later request (e.g. {@code X-Forwarded-For}); returns this client. */
  public Api header(String name, String value) {
    extraHeaders.put(name, value);
    return this;
  }

  public String cookie() {
    return cookie;
  }

  public Response get(String path) {
    return send("GET", path, null);
  }

  public Response post(String path, String body) {
    return send("POST", path, body);
  }

  public Response patch(String path, String body) {
    return send("PATCH", path, body);
  }

  public Response delete(String path) {
    return send("DELETE", path, null);
  }

  /** A GET whose answer is kept as bytes. */
  public Bytes getBytes(String path) {
    HttpResponse<byte[]> r = exchange(request("GET", path, null), HttpResponse.BodyHandlers.ofByteArray());
    return new Bytes(r.statusCode(), r.body(), r.headers());
  }

  public Response send(String method, String path, String body) {
    HttpResponse<String> r = exchange(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    JsonNode node = r.body().isEmpty() ? JSON.createObjectNode() : parse(r.body());
    if (node.has("csrfToken")) {
      csrf = node.get("csrfToken").asText();
    }
    return new Response(r.statusCode(), node, r.headers());
  }

  /** The base URL of the next request: the next server in turn. */
  private String nextBase() {
    return bases.get(Math.floorMod(next.getAndIncrement(), bases.size()));
  }

  private HttpRequest request(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(nextBase() + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (cookie != null) {
      b.header("cookie", cookie);
    }
    if (csrf != null) {
      b.header("x-csrf-token", csrf);
    }
    if (bearer != null) {
      b.header("authorization", "Bearer " + bearer);
    }
    extraHeaders.forEach(b::header);
    return b.build();
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      HttpResponse<T> r = HTTP.send(request, handler);
      r.headers().firstValue("set-cookie").ifPresent(c -> {
        String pair = c.split(";", 2)[0];
        cookie = pair.endsWith("=") ? null : pair;
      });
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      return JSON.createObjectNode().put("raw", s);
    }
  }

  /** A JSON object from alternating names and values (strings, numbers, booleans, or null). */
  public static String json(Object... kv) {
    var n = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      String k = (String) kv[i];
      if (v == null) {
        n.putNull(k);
      } else if (v instanceof Boolean bo) {
        n.put(k, bo);
      } else if (v instanceof Number num) {
        n.put(k, num.longValue());
      } else if (v instanceof java.util.List<?> list) {
        var a = n.putArray(k);
        list.forEach(x -> a.add(String.valueOf(x)));
      } else {
        n.put(k, String.valueOf(v));
      }
    }
    return n.toString();
  }
}
