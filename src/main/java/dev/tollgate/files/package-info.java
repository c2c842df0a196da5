/**
 * Files only the server's own user may read: the data directory and everything in it (database,
 * segments, debug info, key files) are created 0700/0600 and checked at start.
 */
package dev.tollgate.files;
