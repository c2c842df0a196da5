package dev.tollgate.server;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.Bootstrap;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.iam.SystemRole;
import dev.tollgate.token.SecretFiles;
import dev.tollgate.token.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code --bootstrap-token-file} did, so the server can say it instead of silently ignoring
 * the flag: on a first start an owner service account ({@value #ACCOUNT}) is created and its token
 * written to the file (mode 0600); on a later start, or when the file already exists, nothing is
 * written and the welcome message says why and how to get a token instead.
 */
final class BootstrapTokenFile {
  static final String ACCOUNT = "bootstrap-admin";

  enum Outcome {
    /** The token was written to the file. */
    WRITTEN,
    /** First start without the flag. */
    NOT_ASKED,
    /** The flag was given but the database was set up by an earlier start. */
    IGNORED_NOT_FIRST_START,
    /** First start, but the file already existed: it is never overwritten. */
    IGNORED_FILE_EXISTS,
    /** Neither a first start nor the flag: nothing to say. */
    NONE
  }

  private final Outcome outcome;
  private final Path file;

  private BootstrapTokenFile(Outcome outcome, Path file) {
    this.outcome = outcome;
    this.file = file;
  }

  /**
   * Writes the token when this is the first start and {@code file} is given and does not exist.
   *
   * @param bootstrap what the first start created; empty on later starts
   * @param file {@code --bootstrap-token-file}, or null
   */
  static BootstrapTokenFile apply(Optional<Bootstrap.Result> bootstrap, Path file, ServiceAccounts serviceAccounts,
      RoleBindings bindings, Tokens tokens) throws IOException {
    requireNonNull(bootstrap, "bootstrap");
    if (bootstrap.isEmpty()) {
      return new BootstrapTokenFile(file == null ? Outcome.NONE : Outcome.IGNORED_NOT_FIRST_START, file);
    }
    if (file == null) {
      return new BootstrapTokenFile(Outcome.NOT_ASKED, null);
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new BootstrapTokenFile(Outcome.IGNORED_FILE_EXISTS, file);
    }
    Bootstrap.Result b = bootstrap.get();
    Caller admin = new Caller(Principal.user(b.admin()), null);
    String org = b.organization().id();
    ServiceAccount sa = serviceAccounts.create(admin, org, ACCOUNT);
    bindings.create(admin, org, sa.subject().value(), null, null, SystemRole.OWNER.id());
    Tokens.Created created = tokens.create(admin, org, sa.id(), "bootstrap", null, null);
    SecretFiles.write(file, created.secret());
    return new BootstrapTokenFile(Outcome.WRITTEN, file);
  }

  Outcome outcome() {
    return outcome;
  }

  /**
   * The lines the welcome message prints about the token (none when there is nothing to say).
   *
   * @param url where the console is
   */
  List<String> describe(String url) {
    String getOne = "To get a token for the CLI: log in to the console at " + url + "/ and create one under"
        + " Service accounts (create an account, bind it a role, Create token).";
    String forgot = "Lost the owner's password? On this machine: tollgate reset-password --email <owner email>"
        + " (with this server's --data-dir or --database-url) prints a new one.";
    return switch (outcome) {
      case WRITTEN -> List.of("  owner token for the CLI  written to " + shown(file) + " (mode 0600; service account '"
          + ACCOUNT + "', role system:owner)");
      case NOT_ASKED -> List.of("No CLI token was written (no --bootstrap-token-file on this first start). " + getOne);
      case IGNORED_FILE_EXISTS -> List.of("--bootstrap-token-file ignored: " + shown(file)
          + " already exists and is never overwritten, so no token was written. " + getOne);
      case IGNORED_NOT_FIRST_START -> List.of("--bootstrap-token-file ignored: this is not the first start (the"
          + " database was set up before), so no token was written to " + shown(file) + "."
          + (Files.exists(file) ? " " + shown(file) + " exists: it holds the token of the first start, unless that"
              + " token was deleted since." : "")
          + " " + getOne, forgot);
      case NONE -> List.of();
    };
  }

  private static String shown(Path file) {
    return file.toAbsolutePath().normalize().toString();
  }
}
