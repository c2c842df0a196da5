/** The composition root: flags, wiring of every part onto one Armeria port, start and graceful stop. */
package dev.tollgate.server;
