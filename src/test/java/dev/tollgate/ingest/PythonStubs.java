package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Python stubs of every .proto of Tollgate (grpc_tools.protoc), with the packages' __init__.py files. */
final class PythonStubs {
  private PythonStubs() {}

  static void generate(Path out) throws Exception {
    Files.createDirectories(out);
    Path protos = TestData.basedir().resolve("src/main/proto");
    List<String> files;
    try (Stream<Path> s = Files.walk(protos)) {
      files = s.filter(p -> p.toString().endsWith(".proto")).map(p -> protos.relativize(p).toString()).sorted().toList();
    }
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-m", "grpc_tools.protoc", "-I" + protos,
        "--python_out=" + out, "--grpc_python_out=" + out));
    cmd.addAll(files);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(log).isZero();
    try (Stream<Path> s = Files.walk(out)) {
      for (Path d : s.filter(Files::isDirectory).filter(d -> !d.equals(out)).toList()) {
        Path init = d.resolve("__init__.py");
        if (!Files.exists(init)) {
          Files.createFile(init);
        }
      }
    }
  }
}
