package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tollgate legacy-tokens list | create | delete | rotate-key}: a project's legacy EdDSA tokens. */
@Command(name = "legacy-tokens", mixinStandardHelpOptions = true,
    description = {"List, create and delete a project's legacy tokens (EdDSA JWTs), and rotate their signing key.",
        "Replace them with service-account tokens: see 'tollgate migrate'."},
    subcommands = {LegacyTokensCommand.ListLegacy.class, LegacyTokensCommand.Create.class,
        LegacyTokensCommand.Delete.class, LegacyTokensCommand.RotateKey.class})
final class LegacyTokensCommand extends CommandGroup {
  static final Table TABLE = Table.of(field("ID", "id"), field("NAME", "name"), field("CREATED", "createdAt"),
      field("LAST USED", "lastUsedAt"), field("CREATED BY", "createdBy"),
      new Table.Column("REPLACED", row -> row.path("replacement").isObject() ? "yes" : "no"));

  static String path(ClientCommand cmd, String project) {
    return "/v1/projects/" + ApiClient.segment(cmd.projectId(project)) + "/tokens";
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
      description = "List a project's legacy tokens (never the tokens themselves).")
  static final class ListLegacy extends ClientCommand {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id or name.")
    String project;

    @Override
    int run() {
      JsonNode tokens = unwrap(api.get(path(this, project)), "tokens");
      tokens.forEach(t -> ((ObjectNode) t).remove("token"));
      print(tokens, TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a legacy token (refused once the organization froze legacy tokens). It is shown once:",
          "printed to stdout, or written to --output-file (mode 0600) with only its id printed."})
  static final class Create extends ClientCommand {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id or name.")
    String project;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for.")
    String name;

    @Mixin SecretOutput secretOutput;

    @Override
    int run() {
      secretOutput.checkWritable();
      ObjectNode created = (ObjectNode) unwrap(api.post(path(this, project), ApiClient.object().put("name", name)),
          "token");
      String id = created.path("id").asText();
      return deliverCreated(created, secretOutput, "legacy token " + id,
          "tollgate legacy-tokens delete --project " + project + " " + id);
    }
  }

  @Command(name = "delete", aliases = {"rm", "revoke"}, mixinStandardHelpOptions = true,
      description = "Delete (revoke) a legacy token; it is refused from the next call on.")
  static final class Delete extends ClientCommand {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id or name.")
    String project;

    @Parameters(index = "0", paramLabel = "TOKEN-ID", description = "The token's id (see 'legacy-tokens list').")
    String id;

    @Override
    int run() {
      api.delete(path(this, project) + "/" + ApiClient.segment(id));
      say("deleted legacy token " + id);
      return ExitCodes.OK;
    }
  }

  @Command(name = "rotate-key", mixinStandardHelpOptions = true,
      description = {"Generate a new signing key for legacy tokens; the old public key stays for verification,",
          "so existing tokens keep working. Needs an org-wide owner binding in every organization."})
  static final class RotateKey extends ClientCommand {
    @Override
    int run() {
      JsonNode key = unwrap(api.post("/v1/legacy-tokens/keys/rotate", ApiClient.object()), "key");
      if (json()) {
        printJson(key);
      } else {
        say("new signing key " + key.path("kid").asText() + " (public x " + key.path("x").asText() + ")");
      }
      return ExitCodes.OK;
    }
  }
}
