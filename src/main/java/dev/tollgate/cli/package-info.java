/** The {@code tollgate} command line: the server command and the REST client commands. */
package dev.tollgate.cli;
