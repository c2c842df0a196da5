package dev.tollgate.session;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.TrustedProxies;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The login throttle through the real server, with client addresses from a trusted proxy's
 * X-Forwarded-For and from an untrusted peer's, on both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class LoginThrottleServerTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  static final String NAT = "203.0.113.7";

  /** The server's time stands still: no penalty runs out while a test looks. */
  static FakeClock frozen() {
    return new FakeClock(java.time.Instant.now());
  }

  static Api.Response login(TestServer server, String forwardedFor, String email, String password) {
    return new Api(server.url()).header("X-Forwarded-For", forwardedFor).post("/v1/auth/login",
        json("email", email, "password", password));
  }

  /** The client addresses of the audit log's entries of this action, read with {@code reader}. */
  List<String> loginAddresses(TestServer server, Api reader, String action) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : reader.get("/v1/organizations/" + server.organizationId()
        + "/audit?limit=1000&action=" + action).body().get("entries")) {
      if (e.path("action").asText().equals(action)) {
        out.add(e.path("clientIp").asText());
      }
    }
    return out;
  }

  @Test
  void behindATrustedProxy_anAttackerAtTheSameAddress_doesNotStopOthersLoggingIn() throws Exception {
    try (TestServer server = TestServer.start(backend, dir,
        c -> c.withTrustedProxies(TrustedProxies.parse(List.of("127.0.0.1", "::1"))), frozen())) {
      String org = server.organizationId();
      for (String u : List.of("dev1@example.com", "dev2@example.com")) {
        assertThat(server.owner().post("/v1/organizations/" + org + "/users",
            json("email", u, "password", "password-" + u, "role", "system:viewer")).status()).isEqualTo(200);
      }
      int refused = 0;
      for (int round = 0; round < 35; round++) {
        // Guesses at the admin and at many accounts, from the office's one address.
        assertThat(login(server, NAT, TestServer.ADMIN_EMAIL, "guess-" + round).status()).isIn(401, 429);
        assertThat(login(server, NAT, "spray-" + round + "@example.com", "guess").status()).isIn(401, 429);
        String dev = round % 2 == 0 ? "dev1@example.com" : "dev2@example.com";
        if (login(server, NAT, dev, "password-" + dev).status() != 200) {
          refused++;
        }
      }
      assertThat(refused).as("correct logins refused").isZero();
      // The guessed account waits at that address (the documented case), not from elsewhere.
      assertThat(login(server, NAT, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD).status()).isEqualTo(429);
      // The client's own claim left of the proxy's entry is not believed: the right-most untrusted one is.
      assertThat(login(server, NAT + ", 198.51.100.1", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD).status())
          .isEqualTo(200);
      assertThat(loginAddresses(server, server.owner(), "session.login.failed")).contains(NAT).doesNotContain("127.0.0.1");
      assertThat(loginAddresses(server, server.owner(), "session.login")).contains("198.51.100.1", NAT);
    }
  }

  @Test
  void fromAnUntrustedPeer_XForwardedForIsIgnored() throws Exception {
    try (TestServer server = TestServer.start(backend, dir,
        c -> c.withTrustedProxies(TrustedProxies.parse(List.of("10.9.9.9"))), frozen())) {
      // The owner's log-ins will wait here: the audit log is read with a token.
      Api auditor = Api.withToken(server.url(), server.mintToken("auditor", "system:owner", null));
      for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
        // Each guess claims another address; none is believed, so all count for the peer.
        assertThat(login(server, "198.51.100." + i, TestServer.ADMIN_EMAIL, "guess-" + i).status()).isEqualTo(401);
      }
      var right = login(server, "192.0.2.99", TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
      assertThat(right.status()).isEqualTo(429);
      assertThat(right.error()).contains("too many failed logins");
      assertThat(loginAddresses(server, auditor, "session.login.failed")).isNotEmpty()
          .allMatch(ip -> ip.equals("127.0.0.1") || ip.equals("::1"));
    }
  }
}
