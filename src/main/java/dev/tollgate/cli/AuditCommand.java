package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate audit [--since T] [--limit N] [--all]}: the organization's audit log, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Show the organization's audit log, newest first: who did what, when, from where.")
final class AuditCommand extends ClientCommand {
  static final Table TABLE = Table.of(field("SEQ", "seq"), field("AT", "at"), field("ACTOR", "actor"),
      field("ACTION", "action"), field("TARGET", "target"), field("CLIENT IP", "clientIp"), field("DETAIL", "detail"));

  @Option(names = "--since", paramLabel = "TIME", converter = TokensCommand.InstantConverter.class,
      description = "Only entries at or after this RFC 3339 timestamp.")
  Instant since;

  @Option(names = "--limit", paramLabel = "N", description = "Entries per page (server default 100, at most 1000).")
  Integer limit;

  @Option(names = "--all", description = "Follow the cursor to fetch every page, not just the first.")
  boolean all;

  @Override
  int run() {
    ArrayNode entries = ApiClient.JSON.createArrayNode();
    Set<String> seen = new HashSet<>();
    String cursor = null;
    do {
      StringBuilder q = new StringBuilder();
      if (since != null) {
        q.append("&since=").append(ApiClient.query(since.toString()));
      }
      if (limit != null) {
        q.append("&limit=").append(limit);
      }
      if (cursor != null) {
        q.append("&cursor=").append(ApiClient.query(cursor));
      }
      String query = q.isEmpty() ? "" : "?" + q.substring(1);
      JsonNode page = api.get(orgPath("/audit" + query));
      unwrap(page, "entries").forEach(entries::add);
      JsonNode next = page.get("nextCursor");
      cursor = next == null || next.isNull() || next.asText().isEmpty() ? null : next.asText();
      if (cursor != null && !all) {
        if (!json()) {
          err().println("(more entries: pass --all, or --since)");
          err().flush();
        }
        cursor = null;
      }
      if (cursor != null && !seen.add(cursor)) {
        throw new CliException(ExitCodes.SERVER_ERROR, "the server returned the same cursor twice");
      }
    } while (cursor != null);
    print(entries, TABLE);
    return ExitCodes.OK;
  }
}
