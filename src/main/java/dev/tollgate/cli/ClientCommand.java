package dev.tollgate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to the server. Before {@link #run()} it reads the shared flags (with
 * their environment fallbacks) into an {@link ApiClient}; it resolves the organization only
 * when asked, and prints results as a table or as JSON.
 */
abstract class ClientCommand implements Callable<Integer> {
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  @Mixin ClientOptions options;
  @Spec CommandSpec spec;

  /** Set for the duration of {@link #run()}. */
  ApiClient api;
  private String token;
  private String orgId;

  /** Does the work; returns the exit code. */
  abstract int run() throws Exception;

  @Override
  public final Integer call() throws Exception {
    Map<String, String> env = main().env();
    String server = firstNonBlank(options.server, env.get("TOLLGATE_SERVER"), ClientOptions.DEFAULT_SERVER);
    token = readToken(env);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
      api = new ApiClient(http, server, token);
      return run();
    } catch (CliException e) {
      // Belt and braces: whatever produced the message, the token does not leave in it.
      String m = e.getMessage() == null ? "" : e.getMessage();
      throw token.isEmpty() || !m.contains(token) ? e : new CliException(e.exitCode(), m.replace(token, "<token>"));
    } finally {
      api = null;
    }
  }

  private String readToken(Map<String, String> env) {
    if (options.tokenFile != null) {
      String t;
      try {
        t = Files.readString(options.tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CliException(ExitCodes.UNAUTHENTICATED, "--token-file: " + LocalFiles.describe(options.tokenFile, e));
      }
      if (t.isEmpty()) {
        throw new CliException(ExitCodes.UNAUTHENTICATED, "--token-file " + options.tokenFile + " is empty");
      }
      return t;
    }
    String t = env.get("TOLLGATE_TOKEN");
    if (t == null || t.isBlank()) {
      throw new CliException(ExitCodes.UNAUTHENTICATED, "no token: pass --token-file FILE or set TOLLGATE_TOKEN");
    }
    return t.strip();
  }

  /**
   * The organization id: {@code --org} or {@code TOLLGATE_ORG} (an id, or a name looked up among
   * the caller's organizations), else the caller's only organization.
   */
  String org() {
    if (orgId != null) {
      return orgId;
    }
    String wanted = firstNonBlank(options.org, main().env().get("TOLLGATE_ORG"), null);
    if (wanted != null && isUuid(wanted)) {
      return orgId = wanted;
    }
    JsonNode orgs = unwrap(api.get("/v1/organizations"), "organizations");
    if (wanted != null) {
      for (JsonNode o : orgs) {
        if (wanted.equals(o.path("name").asText())) {
          return orgId = o.path("id").asText();
        }
      }
      throw new CliException(ExitCodes.NOT_FOUND, "organization '" + wanted + "' not found among yours");
    }
    if (orgs.size() == 1) {
      return orgId = orgs.get(0).path("id").asText();
    }
    if (orgs.isEmpty()) {
      throw new CliException(ExitCodes.NOT_FOUND, "you belong to no organization");
    }
    StringBuilder names = new StringBuilder();
    orgs.forEach(o -> names.append(names.isEmpty() ? "" : ", ").append(o.path("name").asText())
        .append(" (").append(o.path("id").asText()).append(')'));
    throw new CliException(ExitCodes.USAGE, "you belong to " + orgs.size() + " organizations: " + names
        + "; choose one with --org or TOLLGATE_ORG");
  }

  /**
   * Writes a just-created secret to {@code --output-file} (mode 0600). A failure after the
   * secret exists says which credential to delete ({@code deleteCommand}), since it can never be
   * shown again.
   */
  void writeSecret(SecretOutput output, String secret, String what, String deleteCommand) {
    try {
      output.write(secret);
    } catch (IOException | CliException e) {
      throw new CliException(ExitCodes.SERVER_ERROR, what + " was created but could not be written to "
          + output.path() + " (" + e.getMessage() + "); delete it with '" + deleteCommand + "'");
    }
  }

  /**
   * The one place a created credential leaves the CLI: into {@code --output-file} (then only its
   * id is printed) or, once, to stdout with a warning on stderr. {@code created} holds the secret
   * in its {@code token} field.
   */
  int deliverCreated(ObjectNode created, SecretOutput output, String what, String deleteCommand) {
    String secret = created.path("token").asText("");
    Path file = output.path();
    if (file != null) {
      writeSecret(output, secret, what, deleteCommand);
      created.remove("token");
      if (json()) {
        printJson(created.put("outputFile", file.toString()));
      } else {
        say(what + " written to " + file + " (mode 0600)");
      }
      return ExitCodes.OK;
    }
    err().println("warning: this is the only time " + what + " is shown; store it now (or use --output-file)");
    err().flush();
    if (json()) {
      printJson(created);
    } else {
      out().println(secret);
      out().flush();
    }
    return ExitCodes.OK;
  }

  /** The token of this invocation, for commands that speak gRPC instead of REST. */
  String token() {
    return token;
  }

  /** {@code /v1/organizations/<org>} + {@code rest}. */
  String orgPath(String rest) {
    return "/v1/organizations/" + ApiClient.segment(org()) + rest;
  }

  /** A project id from an id or a project name of the organization; null stays null. */
  String projectId(String ref) {
    if (ref == null || ref.isBlank() || isUuid(ref)) {
      return ref == null || ref.isBlank() ? null : ref;
    }
    return ProjectsCommand.idByName(this, ref);
  }

  /** The value under {@code key} of a wrapped answer such as {@code {"projects": [...]}}. */
  static JsonNode unwrap(JsonNode body, String key) {
    JsonNode v = body.get(key);
    if (v == null || v.isNull()) {
      throw new CliException(ExitCodes.SERVER_ERROR, "unexpected answer from the server: no '" + key + "'");
    }
    return v;
  }

  /** Prints a list or one object: the JSON as it is, or as a table. */
  void print(JsonNode value, Table table) {
    if (json()) {
      printJson(value);
    } else if (value.isArray()) {
      table.print(value, out());
    } else {
      ArrayNode one = ApiClient.JSON.createArrayNode();
      one.add(value);
      table.print(one, out());
    }
  }

  void printJson(JsonNode value) {
    try {
      out().println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
      out().flush();
    } catch (JsonProcessingException e) {
      throw new CliException(ExitCodes.SERVER_ERROR, "cannot print JSON: " + e.getOriginalMessage());
    }
  }

  /** A line for people; printed in table mode only, so JSON output stays parseable. */
  void say(String line) {
    if (!json()) {
      out().println(line);
      out().flush();
    }
  }

  boolean json() {
    return options.output == ClientOptions.Output.json;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  InstantSource clock() {
    return main().clock();
  }

  static boolean isUuid(String s) {
    return UUID.matcher(s).matches();
  }

  private Main main() {
    return spec.root().userObject() instanceof Main m ? m : new Main();
  }

  private static String firstNonBlank(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a.strip();
    }
    if (b != null && !b.isBlank()) {
      return b.strip();
    }
    return fallback;
  }
}
