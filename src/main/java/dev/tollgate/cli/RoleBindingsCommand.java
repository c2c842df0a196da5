package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate rolebindings create | list | delete}. */
@Command(name = "rolebindings", aliases = "rolebinding", mixinStandardHelpOptions = true,
    description = "Give a subject a role, org-wide or in one project; list and delete bindings.",
    subcommands = {RoleBindingsCommand.Create.class, RoleBindingsCommand.ListBindings.class,
        RoleBindingsCommand.Delete.class})
final class RoleBindingsCommand extends CommandGroup {
  static final Table TABLE = Table.of(field("ID", "id"), field("SUBJECT", "subject"), field("ROLE", "role"),
      field("PROJECT", "projectId"), field("ENTITY", "entity"), field("CREATED", "createdAt"));

  private static final Set<String> SYSTEM_ROLES = Set.of("owner", "viewer", "writer", "profile-writer", "debuginfo-writer");

  /**
   * A full role id: {@code system:<name>} for a system role's short name, {@code <org>:<name>}
   * for another short name (a custom role), anything with a colon as it is.
   */
  static String roleId(String role, String orgId) {
    if (role.contains(":")) {
      return role;
    }
    return SYSTEM_ROLES.contains(role) ? "system:" + role : orgId + ":" + role;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Bind a role to a subject.")
  static final class Create extends ClientCommand {
    @Option(names = "--subject", required = true, paramLabel = "SUBJECT",
        description = "serviceaccount:NAME or user:local:EMAIL.")
    String subject;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "owner, viewer, writer, profile-writer, debuginfo-writer (short for system:...), or a custom role.")
    String role;

    @Option(names = "--project", paramLabel = "ID", description = "Only in this project (id or name); default: org-wide.")
    String project;

    @Option(names = "--entity", paramLabel = "ENTITY",
        description = "Only for this service account: serviceaccount:NAME (its id is accepted too).")
    String entity;

    @Override
    int run() {
      var body = ApiClient.object().put("subject", subject).put("role", roleId(role, org()));
      String projectId = projectId(project);
      if (projectId != null) {
        body.put("projectId", projectId);
      }
      if (entity != null) {
        body.put("entity", entity);
      }
      print(unwrap(api.post(orgPath("/rolebindings"), body), "roleBinding"), TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List role bindings.")
  static final class ListBindings extends ClientCommand {
    @Option(names = "--project", paramLabel = "ID", description = "Only bindings in this project (id or name).")
    String project;

    @Override
    int run() {
      String projectId = projectId(project);
      String q = projectId == null ? "" : "?projectId=" + ApiClient.query(projectId);
      print(unwrap(api.get(orgPath("/rolebindings" + q)), "roleBindings"), TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete a role binding.")
  static final class Delete extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The binding id (see 'rolebindings list').")
    String id;

    @Override
    int run() {
      api.delete(orgPath("/rolebindings/" + ApiClient.segment(id)));
      say("deleted role binding " + id);
      return ExitCodes.OK;
    }
  }
}
