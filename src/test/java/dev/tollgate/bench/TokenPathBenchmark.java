package dev.tollgate.bench;

import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.db.JdbcIamStore;
import dev.tollgate.db.JdbcTokenStore;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Bootstrap;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Passwords;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.token.LastUsedTracker;
import dev.tollgate.token.TokenAuthenticator;
import dev.tollgate.token.TokenFormat;
import dev.tollgate.token.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The token path of every authenticated call: parse + checksum + SHA-256 + in-memory lookup +
 * authorize, over real IAM state (50 accounts, 20 tokens each, bindings) loaded from SQLite.
 *
 * <p>Run: see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TokenPathBenchmark {
  private Path dir;
  private Database db;
  private LastUsedTracker lastUsed;
  private TokenAuthenticator authenticator;
  private Authorizer authorizer;
  private String token;
  private String typo;
  private String unknown;
  private String org;
  private String project;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("tollgate-bench");
    db = Database.open(DatabaseUrl.sqliteFile(dir.resolve("bench.db")));
    Clock clock = Clock.systemUTC();
    SecureRandom random = new SecureRandom();
    JdbcIamStore store = new JdbcIamStore(db);
    Bootstrap.Result b = new Bootstrap(store, new Passwords(random), clock).runIfEmpty("admin@localhost", "bench-password").orElseThrow();
    org = b.organization().id();
    project = b.project().id();
    IamState state = new IamState(store);
    state.reload();
    authorizer = new Authorizer(state);
    ServiceAccounts accounts = new ServiceAccounts(store, state, authorizer, clock);
    RoleBindings bindings = new RoleBindings(store, state, authorizer, clock);
    lastUsed = new LastUsedTracker(new JdbcTokenStore(db));
    Tokens tokens = new Tokens(store, state, authorizer, accounts, new TokenFormat(random), lastUsed, clock);
    Caller admin = new Caller(Principal.user(b.admin()), null);
    for (int i = 0; i < 50; i++) {
      ServiceAccount sa = accounts.create(admin, org, "scraper-" + i);
      bindings.create(admin, org, sa.subject().value(), project, null, "system:profile-writer");
      for (int t = 0; t < 20; t++) {
        String secret = tokens.create(admin, org, sa.id(), "t" + t, null, null).secret();
        if (i == 25 && t == 10) {
          token = secret;
        }
      }
    }
    authenticator = new TokenAuthenticator(state, new JdbcTokenStore(db), lastUsed, clock);
    typo = token.substring(0, 30) + (token.charAt(30) == 'a' ? 'b' : 'a') + token.substring(31);
    unknown = new TokenFormat(random).generate();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    lastUsed.close();
    db.close();
  }

  /** A valid token: the whole path up to "allowed". */
  @Benchmark
  public boolean validTokenAuthorized() {
    TokenAuthenticator.Result r = authenticator.authenticate(token);
    return r instanceof TokenAuthenticator.Accepted a && authorizer.allowed(a.principal(), "profile.write", org, project);
  }

  /** A one-character typo: refused by the checksum before any lookup. */
  @Benchmark
  public Object typoRefused() {
    return authenticator.authenticate(typo);
  }

  /** A well-formed unknown token: refused through the negative cache. */
  @Benchmark
  public Object unknownRefused() {
    return authenticator.authenticate(unknown);
  }
}
