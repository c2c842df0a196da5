package dev.tollgate.testing;

import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.db.Dialect;
import dev.tollgate.ingest.IngestSettings;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Boots {@link IngestTestServer} in its own JVM, for crash tests: prints {@code READY <port>} once
 * serving, then runs until killed.
 *
 * <p>Args: {@code <data-dir> <dialect> <jdbc-url> <user|-> <password|-> <segment-max-bytes>}.
 */
public final class IngestServerMain {
  private IngestServerMain() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    DatabaseUrl url = new DatabaseUrl(Dialect.valueOf(args[1]), args[2], args[3].equals("-") ? null : args[3],
        args[4].equals("-") ? null : args[4]);
    IngestSettings settings = IngestSettings.defaults().withSegmentMaxBytes(Long.parseLong(args[5]));
    IngestTestServer server = new IngestTestServer(url, dataDir, settings, InstantSource.system());
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
