package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tollgate serviceaccounts create | list | delete | disable | enable}. */
@Command(name = "serviceaccounts", aliases = {"serviceaccount", "sa"}, mixinStandardHelpOptions = true,
    description = "Manage service accounts: the identities of agents, scrapers and CI jobs.",
    subcommands = {ServiceAccountsCommand.Create.class, ServiceAccountsCommand.ListAccounts.class,
        ServiceAccountsCommand.Delete.class, ServiceAccountsCommand.Disable.class, ServiceAccountsCommand.Enable.class})
final class ServiceAccountsCommand extends CommandGroup {
  static final Table TABLE = Table.of(field("ID", "id"), field("NAME", "name"),
      new Table.Column("STATUS", n -> n.path("disabled").asBoolean(false) ? "disabled" : "active"),
      field("TOKENS", "tokenCount"), field("CREATED", "createdAt"), field("CREATED BY", "createdBy"));

  /** The id of a service account given by id or by name; a name is looked up in the list. */
  static String resolve(ClientCommand cmd, String ref) {
    if (ClientCommand.isUuid(ref)) {
      return ref;
    }
    JsonNode accounts = ClientCommand.unwrap(cmd.api.get(cmd.orgPath("/serviceaccounts")), "serviceAccounts");
    for (JsonNode a : accounts) {
      if (ref.equals(a.path("name").asText()) || ref.equals(a.path("id").asText())) {
        return a.path("id").asText();
      }
    }
    throw new CliException(ExitCodes.NOT_FOUND, "service account '" + ref + "' not found");
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a service account.")
  static final class Create extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Its name, unique in the organization.")
    String name;

    @Override
    int run() {
      print(unwrap(api.post(orgPath("/serviceaccounts"), ApiClient.object().put("name", name)), "serviceAccount"),
          TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List service accounts.")
  static final class ListAccounts extends ClientCommand {
    @Override
    int run() {
      print(unwrap(api.get(orgPath("/serviceaccounts")), "serviceAccounts"), TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
      description = "Delete a service account; its tokens stop working at once.")
  static final class Delete extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME-OR-ID", description = "The service account.")
    String ref;

    @Override
    int run() {
      String id = resolve(this, ref);
      api.delete(orgPath("/serviceaccounts/" + ApiClient.segment(id)));
      say("deleted service account " + ref + (ref.equals(id) ? "" : " (" + id + ")"));
      return ExitCodes.OK;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable a service account: its tokens are refused until it is enabled again.")
  static final class Disable extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME-OR-ID", description = "The service account.")
    String ref;

    @Override
    int run() {
      String id = resolve(this, ref);
      print(unwrap(api.post(orgPath("/serviceaccounts/" + ApiClient.segment(id) + "/disable"), null),
          "serviceAccount"), TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled service account.")
  static final class Enable extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME-OR-ID", description = "The service account.")
    String ref;

    @Override
    int run() {
      String id = resolve(this, ref);
      print(unwrap(api.post(orgPath("/serviceaccounts/" + ApiClient.segment(id) + "/enable"), null),
          "serviceAccount"), TABLE);
      return ExitCodes.OK;
    }
  }
}
