/** The relational store: connection pool, dialects, Flyway migrations and the JDBC repositories. */
package dev.tollgate.db;
