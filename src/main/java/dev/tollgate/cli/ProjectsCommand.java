package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tollgate projects list | create NAME}. */
@Command(name = "projects", aliases = "project", mixinStandardHelpOptions = true,
    description = "List and create the projects of an organization.",
    subcommands = {ProjectsCommand.ListProjects.class, ProjectsCommand.Create.class})
final class ProjectsCommand extends CommandGroup {
  static final Table TABLE = Table.of(field("ID", "id"), field("NAME", "name"), field("CREATED", "createdAt"));

  /** The id of the project called {@code name} in the command's organization. */
  static String idByName(ClientCommand cmd, String name) {
    JsonNode projects;
    try {
      projects = ClientCommand.unwrap(cmd.api.get(cmd.orgPath("/projects")), "projects");
    } catch (CliException e) {
      if (e.exitCode() != ExitCodes.PERMISSION_DENIED) {
        throw e;
      }
      throw new CliException(e.exitCode(), "cannot look up project '" + name + "' by name (" + e.getMessage()
          + "); pass its id instead");
    }
    for (JsonNode p : projects) {
      if (name.equals(p.path("name").asText())) {
        return p.path("id").asText();
      }
    }
    // The list holds only the projects the caller may read (project.list or project.read).
    throw new CliException(ExitCodes.NOT_FOUND, "project '" + name + "' not found among the projects you may read"
        + " (project.list or project.read); if it exists, pass its id instead");
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List projects.")
  static final class ListProjects extends ClientCommand {
    @Override
    int run() {
      print(unwrap(api.get(orgPath("/projects")), "projects"), TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a project.")
  static final class Create extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the new project.")
    String name;

    @Override
    int run() {
      print(unwrap(api.post(orgPath("/projects"), ApiClient.object().put("name", name)), "project"), TABLE);
      return ExitCodes.OK;
    }
  }
}
