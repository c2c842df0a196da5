package dev.tollgate.server;

import dev.tollgate.crypto.KeyEncryptionKey;
import dev.tollgate.db.Database;
import dev.tollgate.db.JdbcLegacyTokenStore;
import dev.tollgate.token.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key encrypts the legacy signing key in the database: {@code --legacy-key-encryption-key-file},
 * else {@code TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY}, else the file {@value #FILE_NAME} in the data
 * directory, generated (0600) on the first start. The generated file keeps a stolen copy of the
 * database (a dump, a backup) from forging tokens; it lives next to the SQLite file, so a copy of the
 * whole data directory still can - production should keep the key elsewhere and pass it in.
 */
final class LegacyKeyEncryption {
  static final String FILE_NAME = "legacy-key-encryption.key";
  static final String ENV = "TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY";
  private static final Logger log = LoggerFactory.getLogger(LegacyKeyEncryption.class);

  private LegacyKeyEncryption() {}

  static KeyEncryptionKey resolve(ServerConfig config, Database db, SecureRandom random) throws IOException {
    if (config.legacyKeyEncryptionKeyFile() != null) {
      Path f = config.legacyKeyEncryptionKeyFile();
      return KeyEncryptionKey.parse(read(f, "--legacy-key-encryption-key-file " + f), "--legacy-key-encryption-key-file "
          + f, random);
    }
    if (config.legacyKeyEncryptionKey() != null) {
      return KeyEncryptionKey.parse(config.legacyKeyEncryptionKey(), ENV, random);
    }
    Path file = config.dataDir().resolve(FILE_NAME);
    String source = "the data directory's " + FILE_NAME;
    if (Files.exists(file)) {
      return KeyEncryptionKey.parse(read(file, source), source, random);
    }
    if (JdbcLegacyTokenStore.holdsEncryptedKeys(db)) {
      // Another server set this database up (or the file was lost): a new key would not open it.
      throw new IllegalStateException("the legacy signing key in the database is encrypted, and this server has no"
          + " key-encryption key: give it the key the database was set up with in --legacy-key-encryption-key-file"
          + " or " + ENV + " (the first server generated it as " + FILE_NAME + " in its data directory)");
    }
    SecretFiles.write(file, KeyEncryptionKey.generate(random));
    log.warn("generated {} (mode 0600), the key that encrypts the legacy signing key in the database. It sits in"
        + " the data directory: in production keep it elsewhere (--legacy-key-encryption-key-file or {}), out of"
        + " the database's backups", file.toAbsolutePath(), ENV);
    return KeyEncryptionKey.parse(read(file, source), source, random);
  }

  private static String read(Path file, String what) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " does not exist");
    }
  }
}
