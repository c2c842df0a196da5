package dev.tollgate.cli;

import com.google.protobuf.Timestamp;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.proto.parca.query.v1alpha1.TopNode;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate query}: merges what arrived for a profile type and selector over the last
 * {@code --since} through the QueryService (gRPC, the same token), writing the merged pprof
 * ({@code -f}) or printing the top functions ({@code --report top}).
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = {"Merge the profiles of one type over a time range (Parca's QueryService): write a gzipped pprof "
        + "for go tool pprof (-f FILE) or print the top functions (--report top).",
        "Exit codes: 0 done; 2 bad flags or query; 3 unauthenticated; 4 permission denied; 5 not found; "
            + "8 refused or failed; 9 unreachable."})
final class QueryCommand extends ClientCommand {
  @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id (sent as the projectid header).")
  String project;

  @Option(names = "--type", required = true, paramLabel = "PROFILE_TYPE",
      description = "Profile type, name:sample_type:sample_unit:period_type:period_unit[:delta], "
          + "e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta (see the console or ProfileTypes).")
  String type;

  @Option(names = "--selector", defaultValue = "{}", paramLabel = "MATCHERS",
      description = "Label matchers, e.g. '{job=\"demo\", node=~\"prod-.*\"}' (default: ${DEFAULT-VALUE}, all series).")
  String selector;

  @Option(names = "--since", defaultValue = "1h", paramLabel = "DURATION",
      description = "How far back from now, e.g. 15m, 1h, 7d (default: ${DEFAULT-VALUE}).")
  String since;

  // -o/--output is every client command's output format (table or json), so the file is -f/--output-file
  @Option(names = {"-f", "--output-file"}, paramLabel = "FILE", description = "Write the merged profile (gzipped pprof) here.")
  Path output;

  @Option(names = "--report", paramLabel = "pprof|top",
      description = "pprof (default with -f) or top (default without): flat and cumulative per function.")
  String report;

  @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "Rows of --report top (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run() throws IOException {
    String kind = report == null ? (output == null ? "top" : "pprof") : report.toLowerCase(Locale.ROOT);
    if (!kind.equals("top") && !kind.equals("pprof")) {
      throw new CliException(ExitCodes.USAGE, "--report must be pprof or top");
    }
    if (kind.equals("pprof") && output == null) {
      throw new CliException(ExitCodes.USAGE, "--report pprof needs --output-file FILE");
    }
    Duration back;
    try {
      back = Durations.parse(since);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--since: " + e.getMessage());
    }
    Instant end = clock().instant();
    Instant start = end.minus(back);
    var stub = GrpcClients.builder(api.server())
        .maxResponseMessageLength(64 << 20)
        .maxResponseLength(64 << 20)
        .addHeader("authorization", "Bearer " + token())
        .addHeader("projectid", project)
        .build(QueryServiceGrpc.QueryServiceBlockingStub.class);
    QueryRequest req = QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_MERGE)
        .setReportType(kind.equals("top") ? QueryRequest.ReportType.REPORT_TYPE_TOP : QueryRequest.ReportType.REPORT_TYPE_PPROF)
        .setMerge(MergeProfile.newBuilder().setQuery(type.strip() + selector.strip()).setStart(ts(start)).setEnd(ts(end)))
        .build();
    QueryResponse r;
    try {
      r = stub.query(req);
    } catch (StatusRuntimeException e) {
      throw new CliException(exitCode(e), e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    }
    if (kind.equals("pprof")) {
      Files.write(output, r.getPprof().toByteArray());
      if (!json()) {
        out().println("wrote " + output + " (" + r.getPprof().size() + " bytes, total " + r.getTotal() + ")");
      }
    } else {
      String unit = r.getTop().getUnit();
      out().printf("%-16s %-16s %s%n", "FLAT (" + unit + ")", "CUM (" + unit + ")", "FUNCTION");
      int n = 0;
      for (TopNode node : r.getTop().getListList()) {
        if (n++ >= limit) {
          break;
        }
        out().printf("%-16d %-16d %s%n", node.getFlat(), node.getCumulative(), node.getMeta().getFunction().getName());
      }
      out().println("total " + r.getTotal() + " " + unit + ", " + r.getTop().getListCount() + " functions");
    }
    out().flush();
    return ExitCodes.OK;
  }

  private static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static int exitCode(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case INVALID_ARGUMENT -> ExitCodes.USAGE;
      case UNAUTHENTICATED -> ExitCodes.UNAUTHENTICATED;
      case PERMISSION_DENIED -> ExitCodes.PERMISSION_DENIED;
      case NOT_FOUND -> ExitCodes.NOT_FOUND;
      case UNAVAILABLE -> ExitCodes.UNREACHABLE;
      default -> ExitCodes.SERVER_ERROR;
    };
  }
}
