package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REST requests are bounded before anyone is authenticated; the gRPC limit is LargeMessagesTest's. */
class RestRequestLimitTest {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(Backend.SQLITE, dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void oversizedPost_withItsLengthDeclared_isA413_beforeAuthentication() throws Exception {
    byte[] body = new byte[(int) ReadRequestFirst.MAX_REST_REQUEST_BYTES + 1];
    var r = send("/v1/auth/login", HttpRequest.BodyPublishers.ofByteArray(body), "Bearer psc_v1_" + "0".repeat(64));
    assertThat(r.statusCode()).isEqualTo(413);
    JsonNode error = new ObjectMapper().readTree(r.body());
    assertThat(error.path("message").asText()).contains("too large");
  }

  @Test
  void oversizedPost_sentInChunks_isA413() throws Exception {
    byte[] body = new byte[4 << 20];
    var r = send("/v1/organizations/" + server.organizationId() + "/projects",
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)), null);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(new ObjectMapper().readTree(r.body()).path("field").asText()).isEqualTo("body");
  }

  @Test
  void aBodyJustUnderTheLimit_stillReachesTheHandler() {
    String name = "x".repeat((int) ReadRequestFirst.MAX_REST_REQUEST_BYTES - 100);
    var r = server.owner().post("/v1/organizations/" + server.organizationId() + "/projects", Api.json("name", name));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text("field")).isEqualTo("name");
  }

  private HttpResponse<String> send(String path, HttpRequest.BodyPublisher body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(body);
    if (authorization != null) {
      b.header("authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
