package dev.tollgate.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The id of a data directory, kept in its {@code node-id} file: profile rows name the node
 * whose directory holds their bytes, and the id must outlive restarts, port or host changes.
 */
public final class NodeId {
  static final String FILE_NAME = "node-id";

  private NodeId() {}

  /** Reads the directory's id, creating it on the directory's first use. */
  public static String loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
      try {
        return UUID.fromString(id).toString();
      } catch (IllegalArgumentException e) {
        throw new IOException(file + " does not hold a node id (a UUID); restore it or remove it to start as a new node");
      }
    }
    String id = UUID.randomUUID().toString();
    dev.tollgate.files.PrivateFiles.createDirectories(dataDir);
    // Written whole or not at all: a crash mid-write must not leave a half id behind.
    Path tmp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
    Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }
}
