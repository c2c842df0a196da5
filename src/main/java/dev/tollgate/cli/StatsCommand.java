package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate stats --project ID}: what arrived, per sending token and per node. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show what arrived in a project: per token/service account and per node, last received, "
        + "calls, bytes, series and refusals in the last 5 minutes and the last hour. Needs profile.read.",
        "Exit codes: 0 ok; 3 unauthenticated; 4 permission denied; 5 not found; 8 other; 9 unreachable."})
final class StatsCommand extends ClientCommand {
  private static final Table TABLE = Table.of(
      field("SOURCE", "sourceName"), field("NODE", "node"), field("LAST RECEIVED", "lastReceived"),
      new Table.Column("CALLS 5M", n -> n.path("last5m").path("calls").asText()),
      new Table.Column("BYTES 5M", n -> n.path("last5m").path("bytes").asText()),
      new Table.Column("CALLS 1H", n -> n.path("lastHour").path("calls").asText()),
      new Table.Column("REFUSED 1H", n -> n.path("lastHour").path("refusals").asText()));

  @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id or name.")
  String project;

  @Override
  int run() {
    JsonNode stats = api.get("/v1/projects/" + ApiClient.segment(projectId(project)) + "/ingest/stats");
    if (json()) {
      printJson(stats);
      return ExitCodes.OK;
    }
    out().println("By token / service account:");
    TABLE.print(stats.path("sources"), out());
    out().println();
    out().println("By node:");
    TABLE.print(stats.path("nodes"), out());
    out().flush();
    return ExitCodes.OK;
  }
}
