package dev.tollgate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate can-i PERMISSION [--project ID]}: yes (exit 0) or no (exit 1). */
@Command(name = "can-i", mixinStandardHelpOptions = true,
    description = {"Ask whether the token may do something, e.g. 'tollgate can-i profile.write --project P'.",
        "Prints yes or no; the exit code is 0 for yes and 1 for no."})
final class CanICommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "PERMISSION", description = "A permission such as profile.write or project.create.")
  String permission;

  @Option(names = "--project", paramLabel = "ID", description = "Ask within this project (id or name); default: org-wide.")
  String project;

  @Option(names = "--entity", paramLabel = "ENTITY",
      description = "Ask about one service account: serviceaccount:NAME (its id is accepted too).")
  String entity;

  @Override
  int run() {
    var body = ApiClient.object().put("organizationId", org()).put("permission", permission);
    String projectId = projectId(project);
    if (projectId != null) {
      body.put("projectId", projectId);
    }
    if (entity != null) {
      body.put("entity", entity);
    }
    var answer = api.post("/api/v1alpha1/authorization/cani", body);
    boolean allowed = answer.path("allowed").asBoolean(false);
    if (json()) {
      printJson(answer);
    } else {
      out().println(allowed ? "yes" : "no");
      out().flush();
    }
    return allowed ? ExitCodes.OK : ExitCodes.NO;
  }
}
