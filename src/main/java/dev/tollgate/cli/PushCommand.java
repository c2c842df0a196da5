package dev.tollgate.cli;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tollgate push}: sends pprof files through gRPC WriteRaw exactly as parca-push and the
 * Parca scraper do ({@code authorization: Bearer} + {@code projectid}), to check a token end to end.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
    description = {"Send pprof files (gzipped or raw) through gRPC WriteRaw, like parca-push.",
        "No pprof file at hand? 'tollgate sample-profile cpu.pb.gz' writes one."})
final class PushCommand extends ClientCommand {
  @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id (sent as the projectid header).")
  String project;

  @Option(names = {"-l", "--label"}, paramLabel = "NAME=VALUE",
      description = "Series label, repeatable; __name__ defaults to process_cpu.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof files (.pb.gz or .pb).")
  List<Path> files;

  @Override
  int run() throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("__name__", "process_cpu");
    all.putAll(labels);
    LabelSet.Builder ls = LabelSet.newBuilder();
    all.forEach((k, v) -> ls.addLabels(Label.newBuilder().setName(k).setValue(v)));
    var stub = GrpcClients.builder(api.server())
        .maxRequestMessageLength(64 << 20)
        .addHeader("authorization", "Bearer " + token())
        .addHeader("projectid", project)
        .build(ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    // Every file is read before the first is sent: a typo in the last name sends nothing.
    List<byte[]> contents = files.stream().map(LocalFiles::read).toList();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
          .setLabels(ls)
          .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(contents.get(i))))).build();
      try {
        stub.writeRaw(req);
      } catch (StatusRuntimeException e) {
        throw new CliException(exitCode(e), f + ": " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      }
      if (!json()) {
        out().println("sent " + f + " (" + contents.get(i).length + " bytes)");
      }
    }
    out().flush();
    return ExitCodes.OK;
  }

  private static int exitCode(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case UNAUTHENTICATED -> ExitCodes.UNAUTHENTICATED;
      case PERMISSION_DENIED -> ExitCodes.PERMISSION_DENIED;
      case NOT_FOUND -> ExitCodes.NOT_FOUND;
      case UNAVAILABLE -> ExitCodes.UNREACHABLE;
      default -> ExitCodes.SERVER_ERROR;
    };
  }
}
