package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate migrate report | replace}: the way off legacy tokens. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Move clients from legacy tokens to service-account tokens.",
    subcommands = {MigrateCommand.Report.class, MigrateCommand.Replace.class})
final class MigrateCommand extends CommandGroup {
  static final Table REPORT = Table.of(field("ID", "id"), field("NAME", "name"), field("PROJECT", "projectName"),
      field("LAST USED", "lastUsedAt"), field("CALLS 24H", "callsLast24h"), field("CALLS 7D", "callsLast7d"),
      new Table.Column("REPLACED BY", row -> row.path("replacement").isObject()
          ? "serviceaccount:" + row.path("replacement").path("serviceAccountName").asText()
              + " (" + row.path("replacement").path("role").asText() + ")"
          : ""));

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Every legacy token of the organization: project, last use, calls in 24 h and 7 days, replacement.")
  static final class Report extends ClientCommand {
    @Override
    int run() {
      JsonNode report = api.get(orgPath("/migration"));
      if (json()) {
        printJson(report);
        return ExitCodes.OK;
      }
      REPORT.print(unwrap(report, "tokens"), out());
      out().println(report.path("replaced").asLong() + " of " + report.path("total").asLong()
          + " legacy tokens replaced" + (report.path("legacyTokensFrozen").asBoolean()
              ? "; new legacy tokens are frozen" : ""));
      out().flush();
      return ExitCodes.OK;
    }
  }

  /** The roles a replacement can get. */
  enum Role {
    /** Scrapers: {@code system:profile-writer}. */
    PROFILE_WRITER("profile-writer"),
    /** Agents that also upload debug info: {@code system:writer}. */
    WRITER("writer");

    final String apiName;

    Role(String apiName) {
      this.apiName = apiName;
    }

    @Override
    public String toString() {
      return apiName;
    }
  }

  @Command(name = "replace", mixinStandardHelpOptions = true,
      description = {"Replace a legacy token in one step: a service account (created or reused), a binding of the",
          "minimal role in the project, a project-bound token; prints the client's new flags (naming",
          "--output-file, if given). The legacy token keeps working until you delete it",
          "('tollgate legacy-tokens delete')."})
  static final class Replace extends ClientCommand {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id or name.")
    String project;

    @Parameters(index = "0", paramLabel = "TOKEN-ID", description = "The legacy token's id (see 'migrate report').")
    String id;

    @Option(names = "--service-account", required = true, paramLabel = "NAME",
        description = "Service account to create or reuse, e.g. production-scraper.")
    String serviceAccount;

    @Option(names = "--role", required = true, paramLabel = "ROLE", converter = RoleConverter.class,
        description = "profile-writer (scrapers) or writer (agents that also upload debug info).")
    Role role;

    @Mixin SecretOutput secretOutput;

    @Override
    int run() {
      secretOutput.checkWritable();
      Path outputFile = secretOutput.path();
      ObjectNode body = ApiClient.object().put("serviceAccountName", serviceAccount).put("role", role.apiName);
      if (outputFile != null) {
        body.put("tokenFile", outputFile.toAbsolutePath().normalize().toString());
      }
      String projectId = projectId(project);
      ObjectNode r = (ObjectNode) api.post("/v1/projects/" + ApiClient.segment(projectId) + "/tokens/"
          + ApiClient.segment(id) + "/replace", body);
      ObjectNode token = (ObjectNode) unwrap(r, "token");
      String secret = token.path("token").asText("");
      String tokenId = token.path("id").asText();
      if (outputFile != null) {
        writeSecret(secretOutput, secret, "token " + tokenId,
            "tollgate tokens delete --service-account " + serviceAccount + " " + tokenId);
        token.remove("token");
      }
      if (json()) {
        printJson(r);
        return ExitCodes.OK;
      }
      JsonNode sa = r.path("serviceAccount");
      JsonNode rb = r.path("roleBinding");
      out().println("service account  serviceaccount:" + sa.path("name").asText()
          + (sa.path("created").asBoolean() ? " (created)" : " (reused)"));
      out().println("role binding     " + r.path("role").asText() + " in project " + r.path("projectId").asText()
          + (rb.path("created").asBoolean() ? " (created)" : " (existed)"));
      if (outputFile != null) {
        out().println("token            " + tokenId + " written to " + outputFile + " (mode 0600)");
      } else {
        err().println("warning: this is the only time token " + tokenId + " is shown; store it in "
            + r.path("tokenFile").asText() + " now");
        err().flush();
        out().println("token            " + secret);
      }
      out().println("new client flags:");
      r.path("flags").forEach(f -> out().println("  " + f.asText()));
      out().println("then check data arrives and delete the legacy token: tollgate legacy-tokens delete --project "
          + r.path("projectId").asText() + " " + id);
      out().flush();
      return ExitCodes.OK;
    }
  }

  /** Accepts {@code profile-writer}, {@code writer} and their {@code system:} ids. */
  static final class RoleConverter implements picocli.CommandLine.ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      String v = value.strip().replaceFirst("^system:", "");
      for (Role r : Role.values()) {
        if (r.apiName.equals(v)) {
          return r;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "'" + value + "' is not a replacement role: profile-writer (scrapers) or writer (agents)");
    }
  }
}
