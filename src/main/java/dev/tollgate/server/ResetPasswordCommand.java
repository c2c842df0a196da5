package dev.tollgate.server;

import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.db.JdbcIamStore;
import dev.tollgate.db.JdbcSessionStore;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Passwords;
import dev.tollgate.iam.User;
import dev.tollgate.session.LoginThrottle;
import dev.tollgate.session.Sessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate reset-password}: the operator, on the server's machine, gives a user (e.g. the
 * bootstrap owner whose printed password is lost) a new random password, printed once, and ends
 * the user's sessions. It works on the database directly, with the server running or not, so it
 * needs what the server needs to reach it ({@code --data-dir} or {@code --database-url}), not a
 * token. Audited as {@code user.password.reset} by {@code operator (command line)} in each
 * organization the user belongs to.
 */
@Command(name = "reset-password", mixinStandardHelpOptions = true,
    description = {"On the server's machine: give a user a new random password (printed once) and end their sessions.",
        "Reaches the database as the server does (same --data-dir / --database-url); needs no token."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {" 0:reset; the new password is printed", " 2:no database at --data-dir", " 5:no user with that email"})
public final class ResetPasswordCommand implements Callable<Integer> {
  static final String ACTOR = "operator (command line)";

  @Option(names = "--email", defaultValue = "${env:TOLLGATE_ADMIN_EMAIL:-admin@localhost}",
      description = "The user whose password is reset. Default: ${DEFAULT-VALUE} (the bootstrap owner).")
  String email;

  @Option(names = "--data-dir", defaultValue = "${env:TOLLGATE_DATA_DIR:-./tollgate-data}",
      description = "The server's data directory (env TOLLGATE_DATA_DIR). Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--database-url", defaultValue = "${env:TOLLGATE_DATABASE_URL}",
      description = "The server's database URL, when not SQLite in the data dir (env TOLLGATE_DATABASE_URL).")
  String databaseUrl;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    boolean sqlite = databaseUrl == null || databaseUrl.isBlank();
    if (sqlite && !Files.exists(dataDir.resolve("tollgate.db"))) {
      err.println("error: no Tollgate database in " + dataDir.toAbsolutePath().normalize()
          + " (pass the server's --data-dir or --database-url)");
      err.flush();
      return 2;
    }
    String mail = email.strip().toLowerCase(Locale.ROOT);
    InstantSource clock = InstantSource.system();
    try (Database db = Database.open(DatabaseUrl.parse(sqlite ? null : databaseUrl, dataDir))) {
      JdbcIamStore iamStore = new JdbcIamStore(db);
      User user = iamStore.inTransaction(tx -> tx.userByEmail(mail)).orElse(null);
      if (user == null) {
        err.println("error: no user with email " + mail);
        err.flush();
        return 5;
      }
      Passwords passwords = new Passwords(new SecureRandom());
      Sessions sessions = new Sessions(new JdbcSessionStore(db), passwords, new LoginThrottle(clock), new SecureRandom(),
          clock);
      String password = passwords.randomPassword();
      int ended = sessions.setPassword(user, password);
      IamSnapshot iam = new IamState(iamStore).reload();
      List<String> orgs = iam.organizations().stream().map(Organization::id)
          .filter(o -> !iam.bindings(o, user.subject().value()).isEmpty()).toList();
      iamStore.inTransaction(tx -> {
        for (String org : orgs) {
          tx.audit(AuditEntry.of(org, clock.instant(), ACTOR, "user.password.reset", "user:" + user.id(), null,
              mail + "; " + ended + " session" + (ended == 1 ? "" : "s") + " ended"));
        }
        return null;
      });
      out.println("New password for " + mail + " (shown once): " + password);
      out.println(ended == 0 ? "No session was open." : ended + " session" + (ended == 1 ? " was" : "s were") + " ended.");
      out.flush();
      return 0;
    }
  }
}
