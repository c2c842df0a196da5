package dev.tollgate.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags every client command shares: where the server is, which token to send, which
 * organization to act in and how to print. Environment fallbacks are applied by
 * {@link ClientCommand}, so tests can pass their own environment.
 */
public final class ClientOptions {
  /** How results are printed. */
  public enum Output { table, json }

  public static final String DEFAULT_SERVER = "http://localhost:7070";

  @Option(names = "--server", paramLabel = "URL",
      description = "Tollgate server URL (env TOLLGATE_SERVER). Default: " + DEFAULT_SERVER + ".")
  String server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding a psc_v1_ token, surrounding whitespace ignored (else env TOLLGATE_TOKEN).")
  Path tokenFile;

  @Option(names = "--org", paramLabel = "ID",
      description = "Organization id or name (env TOLLGATE_ORG). Default: your only organization, if you have one.")
  String org;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (aligned, for people) or json (the server's JSON, for scripts). Default: ${DEFAULT-VALUE}.")
  Output output = Output.table;
}
