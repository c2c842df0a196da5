package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code tollgate tokens create | list | delete}: the {@code psc_v1_} tokens of a service account. */
@Command(name = "tokens", aliases = "token", mixinStandardHelpOptions = true,
    description = "Create, list and delete the psc_v1_ tokens of a service account.",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Delete.class})
final class TokensCommand extends CommandGroup {
  static final Table TABLE = Table.of(field("ID", "id"), field("NAME", "name"), field("PROJECT", "projectId"),
      field("CREATED", "createdAt"), field("LAST USED", "lastUsedAt"), field("EXPIRES", "expiresAt"),
      field("CREATED BY", "createdBy"));

  static String tokensPath(ClientCommand cmd, String serviceAccount) {
    return cmd.orgPath("/serviceaccounts/" + ApiClient.segment(ServiceAccountsCommand.resolve(cmd, serviceAccount))
        + "/tokens");
  }

  /** Parses {@code --expires-at}: an RFC 3339 timestamp. */
  static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return OffsetDateTime.parse(value.strip()).toInstant();
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not an RFC 3339 timestamp such as 2030-01-31T00:00:00Z");
      }
    }
  }

  /** Parses {@code --expires-in}: {@code 30d}, {@code 12h}, {@code P30D}... */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** At most one way to say when the token expires. */
  static final class Expiry {
    @Option(names = "--expires-at", paramLabel = "TIME", converter = InstantConverter.class,
        description = "Expiry as an RFC 3339 timestamp, e.g. 2030-01-31T00:00:00Z.")
    Instant at;

    @Option(names = "--expires-in", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Expiry from now: 30d, 12h, 90m, 45s, 2w or ISO-8601 like P30D.")
    Duration in;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a token. It is shown once: printed to stdout, or written to --output-file",
          "(created with mode 0600) with only its id printed. Only its hash is kept by the server."})
  static final class Create extends ClientCommand {
    @Option(names = "--service-account", required = true, paramLabel = "NAME-OR-ID", description = "Whose token.")
    String serviceAccount;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for, e.g. the host.")
    String name;

    @Option(names = "--project", paramLabel = "ID", description = "Tie the token to this project (id or name).")
    String project;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Expiry expiry;

    @Mixin SecretOutput secretOutput;

    @Override
    int run() {
      secretOutput.checkWritable();
      ObjectNode body = ApiClient.object().put("name", name);
      String projectId = projectId(project);
      if (projectId != null) {
        body.put("projectId", projectId);
      }
      Instant expiresAt = expiry == null ? null : expiry.at != null ? expiry.at : clock().instant().plus(expiry.in);
      if (expiresAt != null) {
        body.put("expiresAt", expiresAt.toString());
      }
      ObjectNode created = (ObjectNode) unwrap(api.post(tokensPath(this, serviceAccount), body), "token");
      String id = created.path("id").asText();
      return deliverCreated(created, secretOutput, "token " + id,
          "tollgate tokens delete --service-account " + serviceAccount + " " + id);
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
      description = "List a service account's tokens (never their secrets).")
  static final class ListTokens extends ClientCommand {
    @Option(names = "--service-account", required = true, paramLabel = "NAME-OR-ID", description = "Whose tokens.")
    String serviceAccount;

    @Override
    int run() {
      JsonNode tokens = unwrap(api.get(tokensPath(this, serviceAccount)), "tokens");
      // The server never sends secrets here; should one ever, it is not printed.
      tokens.forEach(t -> ((ObjectNode) t).remove("token"));
      print(tokens, TABLE);
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", aliases = {"rm", "revoke"}, mixinStandardHelpOptions = true,
      description = "Delete (revoke) a token; it is refused from the next request on.")
  static final class Delete extends ClientCommand {
    @Option(names = "--service-account", required = true, paramLabel = "NAME-OR-ID", description = "Whose token.")
    String serviceAccount;

    @Parameters(index = "0", paramLabel = "TOKEN-ID", description = "The token's id (see 'tokens list').")
    String id;

    @Override
    int run() {
      api.delete(tokensPath(this, serviceAccount) + "/" + ApiClient.segment(id));
      say("deleted token " + id);
      return ExitCodes.OK;
    }
  }
}
