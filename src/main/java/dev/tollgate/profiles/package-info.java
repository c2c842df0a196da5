/** Durable profile storage: per-project append-only segment files with group commit, indexed in the database. */
package dev.tollgate.profiles;
