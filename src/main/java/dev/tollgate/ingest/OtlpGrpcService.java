package dev.tollgate.ingest;

import dev.tollgate.proto.otlp.collector.logs.v1.ExportLogsServiceRequest;
import dev.tollgate.proto.otlp.collector.logs.v1.ExportLogsServiceResponse;
import dev.tollgate.proto.otlp.collector.logs.v1.LogsServiceGrpc;
import dev.tollgate.proto.otlp.collector.metrics.v1.ExportMetricsServiceRequest;
import dev.tollgate.proto.otlp.collector.metrics.v1.ExportMetricsServiceResponse;
import dev.tollgate.proto.otlp.collector.metrics.v1.MetricsServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * OTLP/gRPC logs and metrics Export, as parca-agent calls them on its remote-store connection
 * (same token, same {@code projectid} header, {@code profile.write} to write): stored per project
 * by {@link OtlpStore} on {@code work}, answered once stored, with an empty partial success.
 */
final class OtlpGrpcService {
  private OtlpGrpcService() {}

  static final class Logs extends LogsServiceGrpc.LogsServiceImplBase {
    private final OtlpStore store;
    private final Executor work;

    Logs(OtlpStore store, Executor work) {
      this.store = store;
      this.work = work;
    }

    @Override
    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
      IngestGrant grant = Grants.current();
      UnaryCalls.answerOn(work, response, () -> {
        store.addLogs(grant, request);
        return ExportLogsServiceResponse.getDefaultInstance();
      });
    }
  }

  static final class Metrics extends MetricsServiceGrpc.MetricsServiceImplBase {
    private final OtlpStore store;
    private final Executor work;

    Metrics(OtlpStore store, Executor work) {
      this.store = store;
      this.work = work;
    }

    @Override
    public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> response) {
      IngestGrant grant = Grants.current();
      UnaryCalls.answerOn(work, response, () -> {
        store.addMetrics(grant, request);
        return ExportMetricsServiceResponse.getDefaultInstance();
      });
    }
  }
}
