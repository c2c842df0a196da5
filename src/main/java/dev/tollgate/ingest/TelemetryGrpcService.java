package dev.tollgate.ingest;

import dev.tollgate.proto.parca.telemetry.v1alpha1.ReportPanicRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.ReportPanicResponse;
import dev.tollgate.proto.parca.telemetry.v1alpha1.TelemetryServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/** Parca's TelemetryService: panic reports are kept per project and answered with an empty message. */
final class TelemetryGrpcService extends TelemetryServiceGrpc.TelemetryServiceImplBase {
  private final PanicReports reports;
  private final Executor work;

  TelemetryGrpcService(PanicReports reports, Executor work) {
    this.reports = reports;
    this.work = work;
  }

  @Override
  public void reportPanic(ReportPanicRequest req, StreamObserver<ReportPanicResponse> response) {
    IngestGrant g = Grants.current();
    UnaryCalls.answerOn(work, response, () -> {
      reports.record(g, req.getStderr(), req.getMetadataMap());
      return ReportPanicResponse.getDefaultInstance();
    });
  }
}
