package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.TestServer;
import dev.tollgate.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** WriteRaw from Python's C-core gRPC stack (what Go/C clients look like on the wire), with stubs from our protos. */
@ParameterizedClass
@EnumSource(Backend.class)
class PythonClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path STUBS = TestData.basedir().resolve("target/python-stubs");

  @Parameter Backend backend;
  @TempDir Path dir;

  private TestServer server;
  private String project;
  private String token;

  @BeforeAll
  static void generateStubs() throws Exception {
    Files.createDirectories(STUBS);
    Path protos = TestData.basedir().resolve("src/main/proto");
    Process p = new ProcessBuilder("/usr/bin/python3", "-m", "grpc_tools.protoc", "-I" + protos,
        "--python_out=" + STUBS, "--grpc_python_out=" + STUBS, "parca/profilestore/v1alpha1/profilestore.proto")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    for (String pkg : List.of("parca", "parca/profilestore", "parca/profilestore/v1alpha1")) {
      Path init = STUBS.resolve(pkg).resolve("__init__.py");
      if (!Files.exists(init)) {
        Files.createFile(init);
      }
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    project = server.defaultProjectId();
    token = server.mintToken("python-scraper", "system:profile-writer", project);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void pythonCCoreClient_sendsEveryRealPprof_andRestShowsIdenticalBytes() throws Exception {
    List<Path> files = TestData.pprofFiles();
    Process p = new ProcessBuilder("/usr/bin/python3", TestData.basedir().resolve("src/test/python/send_pprof.py").toString(),
        STUBS.toString(), "127.0.0.1:" + server.port(), project, token,
        files.getFirst().getParent().toString())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("sent: " + files.size()).contains("refusal: UNAUTHENTICATED");

    assertThat(out).doesNotContain(token);
    Api owner = server.owner();
    WebClient web = WebClient.builder(server.url()).addHeader("cookie", owner.cookie()).build();
    JsonNode series = JSON.readTree(web.get("/v1/projects/" + project + "/series").aggregate().join().contentUtf8())
        .get("series");
    assertThat(series).hasSize(files.size());
    Map<String, Path> byName = files.stream().collect(Collectors.toMap(
        f -> "py_" + f.getFileName().toString().replace(".pb.gz", "").replace('-', '_'), f -> f));
    for (JsonNode s : series) {
      assertThat(s.get("labels").get("client").asText()).isEqualTo("python-c-core");
      JsonNode profile = JSON.readTree(web.get("/v1/projects/" + project + "/profiles?seriesId=" + s.get("id").asText())
          .aggregate().join().contentUtf8()).get("profiles").get(0);
      byte[] raw = web.get("/v1/projects/" + project + "/profiles/" + profile.get("id").asText() + "/raw")
          .aggregate().join().content().array();
      assertThat(raw).isEqualTo(Files.readAllBytes(byName.get(s.get("labels").get("__name__").asText())));
    }
    JsonNode stats = JSON.readTree(web.get("/v1/projects/" + project + "/ingest/stats").aggregate().join().contentUtf8());
    assertThat(stats.get("sources").get(0).get("last5m").get("calls").asLong()).isEqualTo(files.size());
    assertThat(stats.get("sources").get(0).toString()).contains("serviceaccount:python-scraper");
  }
}
