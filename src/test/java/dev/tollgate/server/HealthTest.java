package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC health over plaintext h2c and over TLS, and the HTTP probes. */
class HealthTest {
  @TempDir Path dir;

  @Test
  void grpcHealth_plaintext_andHttpProbes() throws Exception {
    try (TestServer server = TestServer.start(Backend.SQLITE, dir)) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
      try {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
      HttpClient http = HttpClient.newHttpClient();
      for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/"}) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
      }
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("armeria_server");

      // The console is served with a policy that runs only its own scripts; API answers are never cached.
      for (String path : new String[] {"/", "/organizations/x/iam"}) {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("content-security-policy")).as(path).hasValue(
            SecurityHeaders.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(page.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      }
      HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/auth/me")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(api.statusCode()).isEqualTo(401);
      assertThat(api.headers().firstValue("cache-control")).hasValue("no-store");
    }
  }

  @Test
  void anEarlyRefusal_waitsForTheWholeBody_soHttp2ClientsGetTheAnswer() throws Exception {
    try (TestServer server = TestServer.start(Backend.SQLITE, dir)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      // A first request upgrades the connection to HTTP/2 (h2c).
      http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/permissions")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < 3; i++) {
        var body = new java.util.concurrent.SubmissionPublisher<java.nio.ByteBuffer>();
        var answer = http.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "/v1/legacy-tokens/keys/rotate"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.fromPublisher(body)).build(), HttpResponse.BodyHandlers.ofString());
        body.submit(java.nio.ByteBuffer.wrap("{\"a\":".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Thread.sleep(300); // the server could answer 401 now, before the body ends
        body.submit(java.nio.ByteBuffer.wrap("1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        body.close();
        HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      }
    }
  }

  @Test
  void tlsFromCertificateFiles_speaksTls13WithAlpnH2() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).start();
    assertThat(openssl.waitFor()).isZero();
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withTlsFiles(cert, key))) {
      javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
      tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
          .createSocket("localhost", server.port())) {
        javax.net.ssl.SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(params);
        socket.startHandshake();
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
      }
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port())
          .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build())
          .build();
      try {
        assertThat(HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void grpcHealth_overTlsWithSelfSignedCertificate() throws Exception {
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withTlsSelfSigned(true))) {
      assertThat(server.url()).startsWith("https://");
      ManagedChannel ch = NettyChannelBuilder.forAddress("localhost", server.port())
          .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
          .build();
      try {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
