/** The ingestion edge: Parca-compatible gRPC services, their authorization interceptor, validation, stats and the read-side REST routes. */
package dev.tollgate.ingest;
