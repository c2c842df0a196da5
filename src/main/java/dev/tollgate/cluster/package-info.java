/**
 * Servers sharing one database: each has its own data directory, named by a node id, and
 * registers the address its peers reach it at, so a profile stored on one server can be
 * downloaded through any of them.
 */
package dev.tollgate.cluster;
