package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate stats --project ID}: what arrived, per sending token and per node. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show what arrived in a project: per token/service account and per node, last received, "
        + "calls, bytes, series (distinct label sets, as the series list counts them) and refusals in the last 5 "
        + "minutes and the last hour. Needs profile.read.",
        "Exit codes: 0 ok; 3 unauthenticated; 4 permission denied; 5 not found; 8 other; 9 unreachable."})
final class StatsCommand extends ClientCommand {
  private static final Table SOURCES = table(field("SOURCE", "sourceName"));
  private static final Table NODES = table(field("NODE", "node"));

  /** The first column, then the last receive time and each window's four counts. */
  private static Table table(Table.Column first) {
    List<Table.Column> columns = new ArrayList<>(List.of(first, field("LAST RECEIVED", "lastReceived")));
    for (String[] window : new String[][] {{"5M", "last5m"}, {"1H", "lastHour"}}) {
      for (String count : new String[] {"calls", "bytes", "series", "refusals"}) {
        columns.add(new Table.Column(count.toUpperCase(Locale.ROOT) + " " + window[0],
            n -> n.path(window[1]).path(count).asText()));
      }
    }
    return new Table(columns);
  }

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
    print(SOURCES, stats.path("sources"), "nothing received yet");
    out().println();
    out().println("By node (the `node` label agents send):");
    print(NODES, stats.path("nodes"), "no profile with a `node` label yet");
    out().flush();
    return ExitCodes.OK;
  }

  private void print(Table table, JsonNode rows, String whenEmpty) {
    if (rows.isEmpty()) {
      out().println("  (" + whenEmpty + ")");
    } else {
      table.print(rows, out());
    }
  }
}
