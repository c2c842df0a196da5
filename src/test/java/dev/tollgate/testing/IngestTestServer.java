package dev.tollgate.testing;

import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.ingest.Ingestion;
import dev.tollgate.ingest.ProjectReadAccess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real Armeria server with the data plane, as the server wiring will compose it, with the test
 * authorizer. Projects in {@link #hiddenProjects} are refused by the read-access seam with 404.
 */
public final class IngestTestServer implements AutoCloseable {
  public final Database db;
  public final Ingestion ingestion;
  public final Server server;
  public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  public final Set<UUID> hiddenProjects = ConcurrentHashMap.newKeySet();

  public IngestTestServer(DatabaseUrl url, Path dataDir, IngestSettings settings, InstantSource clock, int port) {
    this.db = Database.open(url);
    ProjectReadAccess access = (ctx, projectId) -> {
      if (hiddenProjects.contains(projectId)) {
        throw dev.tollgate.errors.TollgateException.notFound("project");
      }
    };
    this.ingestion = new Ingestion(db, dataDir, settings, new TestAuthorizer(), access, registry, clock);
    this.server = Server.builder()
        .http(port)
        .maxRequestLength(64 << 20)
        .service(GrpcService.builder()
            .addServiceDefinitions(ingestion.grpcServices())
            .enableUnframedRequests(true)
            .supportedSerializationFormats(GrpcSerializationFormats.values())
            .maxRequestMessageLength(64 << 20)
            .build())
        .annotatedService().exceptionHandlers(new dev.tollgate.api.ApiErrors()).build(ingestion.restService())
        .service("/metrics", (ctx, req) -> com.linecorp.armeria.common.HttpResponse.of(registry.scrape()))
        .build();
    server.start().join();
  }

  public IngestTestServer(DatabaseUrl url, Path dataDir, IngestSettings settings, InstantSource clock) {
    this(url, dataDir, settings, clock, 0);
  }

  public int port() {
    return server.activeLocalPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.stop().join();
    ingestion.close();
    db.close();
  }
}
