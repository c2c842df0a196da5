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
      // json_array_elements: the elements of profiles.profile_types (a JSON array) as rows j(value).
      // updated_in_place: storage options of tables whose rows are updated on every append; PostgreSQL
      // leaves room in each page so an update can stay on its page without touching the indexes.
      case SQLITE -> Map.of("serial_pk", "INTEGER PRIMARY KEY AUTOINCREMENT", "blob", "BLOB",
          "json_array_elements", "json_each(p.profile_types) j", "updated_in_place", "");
      case POSTGRESQL -> Map.of("serial_pk", "BIGSERIAL PRIMARY KEY", "blob", "BYTEA",
          "json_array_elements", "jsonb_array_elements_text(p.profile_types::jsonb) AS j(value)",
          "updated_in_place", "WITH (fillfactor = 50)");
    };
  }
}
