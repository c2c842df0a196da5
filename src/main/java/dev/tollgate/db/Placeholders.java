package dev.tollgate.db;

import java.util.Map;

/**
 * The only per-dialect words in the one set of migrations. Everything else in the SQL is
 * common to SQLite and PostgreSQL: TEXT ids, BIGINT epoch-millisecond times, BOOLEAN flags.
 */
final class Placeholders {
  private Placeholders() {}

  static Map<String, String> of(Dialect dialect) {
    return switch (dialect) {
      case SQLITE -> Map.of("serial_pk", "INTEGER PRIMARY KEY AUTOINCREMENT", "blob", "BLOB");
      case POSTGRESQL -> Map.of("serial_pk", "BIGSERIAL PRIMARY KEY", "blob", "BYTEA");
    };
  }
}
