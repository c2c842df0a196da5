package dev.tollgate.ingest;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;

/**
 * Prometheus counters of the ingestion edge: {@code tollgate_ingest_calls_total{project,method,code}}
 * ({@code project="unknown"} when the caller did not authenticate), {@code tollgate_ingest_bytes_total{project,method}}
 * (request payload bytes accepted) and {@code tollgate_ingest_unauthenticated_refusals_total{claimed_project,method,code}}:
 * refusals of callers without a valid token, by the existing project their {@code projectid}
 * header named ("none" otherwise). Projects are only tags when they exist, so the series stay bounded.
 */
final class IngestMetrics {
  private final MeterRegistry registry;

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void call(UUID projectId, String method, Status.Code code) {
    Counter.builder("tollgate.ingest.calls")
        .description("Ingestion RPCs by project, method and gRPC status code")
        .tag("project", projectId == null ? "unknown" : projectId.toString())
        .tag("method", method)
        .tag("code", code.name())
        .register(registry)
        .increment();
  }

  void unauthenticated(UUID claimedProjectId, String method, Status.Code code) {
    Counter.builder("tollgate.ingest.unauthenticated.refusals")
        .description("Refused ingestion RPCs of callers without a valid token, by the project they claimed")
        .tag("claimed_project", claimedProjectId == null ? "none" : claimedProjectId.toString())
        .tag("method", method)
        .tag("code", code.name())
        .register(registry)
        .increment();
  }

  void bytes(UUID projectId, String method, long bytes) {
    Counter.builder("tollgate.ingest.bytes")
        .description("Payload bytes accepted by project and method")
        .baseUnit("bytes")
        .tag("project", projectId.toString())
        .tag("method", method)
        .register(registry)
        .increment(bytes);
  }
}
