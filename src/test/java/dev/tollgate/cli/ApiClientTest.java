package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiClientTest {
  @ParameterizedTest
  @CsvSource({
      "400, 8", "401, 3", "403, 4", "404, 5", "409, 6", "412, 6", "429, 7",
      "500, 8", "502, 8", "503, 8", "418, 8"})
  void httpStatus_becomesItsExitCode(int status, int exitCode) {
    assertThat(ApiClient.exitCodeFor(status)).isEqualTo(exitCode);
  }

  @Test
  void aClosedPort_isExit9() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (HttpClient http = HttpClient.newHttpClient()) {
      ApiClient api = new ApiClient(http, "http://127.0.0.1:" + port + "/", "psc_v1_x");
      assertThatThrownBy(() -> api.get("/v1/organizations"))
          .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.UNREACHABLE))
          .hasMessageContaining("cannot reach http://127.0.0.1:" + port);
    }
  }

  @Test
  void aTokenWithControlCharacters_isRefusedWithoutEchoingIt() {
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThatThrownBy(() -> new ApiClient(http, "http://localhost:1", "psc_v1_secret\r\nX-Evil: 1"))
          .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED))
          .message().doesNotContain("secret");
    }
  }

  @Test
  void aServerThatIsNotAUrl_isAUsageError() {
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThatThrownBy(() -> new ApiClient(http, "localhost:7070", "t"))
          .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE));
    }
  }

  @Test
  void toString_hidesTheToken() {
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThat(new ApiClient(http, "http://localhost:1", "psc_v1_s3kr1t").toString()).doesNotContain("s3kr1t");
    }
  }

  @Test
  void pathSegments_areEncoded() {
    assertThat(ApiClient.segment("a b/c")).isEqualTo("a%20b%2Fc");
  }
}
