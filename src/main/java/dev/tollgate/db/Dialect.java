package dev.tollgate.db;

/** The two databases Tollgate runs on. Repository SQL is shared; only connection set-up differs. */
public enum Dialect {
  SQLITE,
  POSTGRESQL
}
