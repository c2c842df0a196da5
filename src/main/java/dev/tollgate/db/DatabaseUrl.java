package dev.tollgate.db;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where the state lives, parsed from {@code --database-url}.
 *
 * <p>Accepted forms: empty (a SQLite file {@code tollgate.db} in the data directory),
 * {@code postgresql://user:pass@host:port/db} (or {@code postgres://}), and any
 * {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL. The password is kept out of
 * {@link #toString()}.
 */
public record DatabaseUrl(Dialect dialect, String jdbcUrl, String user, String password) {

  public DatabaseUrl {
    requireNonNull(dialect, "dialect");
    requireNonNull(jdbcUrl, "jdbcUrl");
  }

  /** Parses the flag value; {@code null} or blank means the embedded SQLite default. */
  public static DatabaseUrl parse(String url, Path dataDir) {
    if (url == null || url.isBlank()) {
      return sqliteFile(dataDir.resolve("tollgate.db"));
    }
    String u = url.trim();
    if (u.startsWith("jdbc:sqlite:")) {
      return new DatabaseUrl(Dialect.SQLITE, u, null, null);
    }
    if (u.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(Dialect.POSTGRESQL, u, null, null);
    }
    if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
      URI uri;
      try {
        uri = URI.create(u);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--database-url is not a valid URL");
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("--database-url has no host");
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      int port = uri.getPort() == -1 ? 5432 : uri.getPort();
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return new DatabaseUrl(
          Dialect.POSTGRESQL, "jdbc:postgresql://" + uri.getHost() + ":" + port + path + query, user, password);
    }
    throw new IllegalArgumentException(
        "--database-url must be postgresql://user:pass@host:port/db, jdbc:postgresql:..., or jdbc:sqlite:...");
  }

  public static DatabaseUrl sqliteFile(Path file) {
    return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), null, null);
  }

  @Override
  public String toString() {
    return dialect + " " + jdbcUrl + (user == null ? "" : " as " + user);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
