package dev.tollgate.bench;

import dev.tollgate.cluster.PgCluster;
import dev.tollgate.token.TokenAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a revocation takes to reach the other servers: three servers on one embedded
 * PostgreSQL, {@code revocations} service-account tokens deleted one by one through the REST API
 * of server 0 while agents keep writing profiles to servers 1 and 2. For each one: the time from
 * the DELETE's answer (its transaction committed) to the first refusal of the token by server 1
 * and by server 2, polled on their real authentication path ({@link TokenAuthenticator}).
 *
 * <p>Applying a change is a full reload of the snapshot (no incremental variant), so the
 * snapshot's size matters: the tokens still to be revoked are all in it.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.tollgate.bench.RevocationLatencyBenchmark [-Dexec.args="<revocations=1000> <writers=2>"]
 * </pre>
 */
public final class RevocationLatencyBenchmark {
  private static final int TOKENS_PER_ACCOUNT = 100; // the quota

  public static void main(String[] args) throws Exception {
    int revocations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int writers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path dir = Files.createTempDirectory("revocation-bench");
    try (PgCluster cluster = new PgCluster(dir, 3)) {
      String org = cluster.organizationId();
      // Tokens to revoke, 100 per service account, plus one account whose token the writers use.
      List<String[]> tokens = new ArrayList<>(); // {serviceAccountId, tokenId, token}
      var owner = cluster.owner(0);
      for (int a = 0; tokens.size() < revocations; a++) {
        PgCluster.Minted m = cluster.mint(0, "bench-" + a, "system:profile-writer");
        tokens.add(new String[] {m.serviceAccountId(), m.tokenId(), m.token()});
        for (int t = 1; t < TOKENS_PER_ACCOUNT && tokens.size() < revocations; t++) {
          var r = PgCluster.check(owner.post("/v1/organizations/" + org + "/serviceaccounts/" + m.serviceAccountId()
              + "/tokens", dev.tollgate.testing.Api.json("name", "t" + t)));
          tokens.add(new String[] {m.serviceAccountId(), r.body().at("/token/id").asText(),
              r.body().at("/token/token").asText()});
        }
      }
      PgCluster.Minted writerToken = cluster.mint(0, "bench-writer", "system:profile-writer");
      cluster.awaitAllApplied();
      System.out.printf("%d tokens to revoke in the snapshot; %d writers on servers 1 and 2%n", tokens.size(), writers);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong written = new AtomicLong();
      AtomicLong writeErrors = new AtomicLong();
      List<Thread> writerThreads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int server = 1 + w % 2;
        writerThreads.add(Thread.ofPlatform().daemon(true).start(() -> {
          while (!stop.get()) {
            if (cluster.writeRaw(server, writerToken.token()).isOk()) {
              written.incrementAndGet();
            } else {
              writeErrors.incrementAndGet();
            }
          }
        }));
      }

      TokenAuthenticator[] others = {cluster.server(1).components().tokenAuthenticator(),
          cluster.server(2).components().tokenAuthenticator()};
      long[] latencies = new long[tokens.size() * 2];
      long started = System.nanoTime();
      for (int i = 0; i < tokens.size(); i++) {
        String[] t = tokens.get(i);
        for (TokenAuthenticator a : others) {
          if (!(a.authenticate(t[2]) instanceof TokenAuthenticator.Accepted)) {
            throw new IllegalStateException("token " + i + " refused before its revocation");
          }
        }
        PgCluster.check(owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + t[0] + "/tokens/" + t[1]));
        long committed = System.nanoTime();
        boolean[] refused = new boolean[2];
        int left = 2;
        while (left > 0) {
          for (int s = 0; s < 2; s++) {
            if (!refused[s] && others[s].authenticate(t[2]) instanceof TokenAuthenticator.Refused) {
              refused[s] = true;
              latencies[i * 2 + s] = System.nanoTime() - committed;
              left--;
            }
          }
          Thread.onSpinWait();
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      stop.set(true);
      for (Thread th : writerThreads) {
        th.join();
      }
      Arrays.sort(latencies);
      System.out.printf("%d revocations in %.1f s while %d profiles were written (%d write errors)%n",
          tokens.size(), seconds, written.get(), writeErrors.get());
      System.out.printf("latency commit -> refusal on servers 1 and 2 (%d samples): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          latencies.length, ms(latencies, 0.50), ms(latencies, 0.99), latencies[latencies.length - 1] / 1e6);
      System.out.printf("reloads: server 1 %d, server 2 %d; listener reconnects %d / %d%n",
          cluster.feed(1).reloads(), cluster.feed(2).reloads(), cluster.feed(1).reconnects(), cluster.feed(2).reconnects());
    }
  }

  private static double ms(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
