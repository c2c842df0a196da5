/** Debug-info uploads per project and build id: Parca's upload state machine, files on disk, states in the database. */
package dev.tollgate.debuginfo;
