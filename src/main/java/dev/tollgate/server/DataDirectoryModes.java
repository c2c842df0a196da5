package dev.tollgate.server;

import dev.tollgate.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory holds the legacy signing key's database rows, segments and debug info: only
 * the server's user may read it. At start it is created 0700, and anything in it that group or
 * others can reach (data of an older version, a copy made with umask 022) is narrowed to 0600 /
 * 0700 with one warning per path, rather than refusing to start: the fix is the same either way
 * and the server keeps its data.
 */
final class DataDirectoryModes {
  private static final Logger log = LoggerFactory.getLogger(DataDirectoryModes.class);

  private DataDirectoryModes() {}

  /** Creates the directory if needed and narrows what is too open; returns what it changed. */
  static List<PrivateFiles.Repaired> enforce(Path dataDir) throws IOException {
    PrivateFiles.createDirectories(dataDir);
    List<PrivateFiles.Repaired> repaired = PrivateFiles.repairTree(dataDir);
    for (PrivateFiles.Repaired r : repaired) {
      log.warn("{} was accessible to other users ({}); changed to {}", r.path(), r.before(), r.after());
    }
    return repaired;
  }
}
