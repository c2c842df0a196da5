package dev.tollgate.ingest;

import dev.tollgate.debuginfo.DebuginfoException;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.debuginfo.UploadSession;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadResponse;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedResponse;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadResponse;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInstructions;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parca's DebuginfoService over {@link DebuginfoStore}; database and file work runs on {@code work}. */
final class DebuginfoGrpcService extends DebuginfoServiceGrpc.DebuginfoServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(DebuginfoGrpcService.class);
  private final DebuginfoStore store;
  private final Executor work;

  DebuginfoGrpcService(DebuginfoStore store, Executor work) {
    this.store = store;
    this.work = work;
  }

  private <T> void unary(StreamObserver<T> response, Supplier<T> body) {
    work.execute(() -> {
      try {
        response.onNext(body.get());
        response.onCompleted();
      } catch (Throwable t) {
        response.onError(GrpcErrors.toStatus(t));
      }
    });
  }

  @Override
  public void shouldInitiateUpload(ShouldInitiateUploadRequest req, StreamObserver<ShouldInitiateUploadResponse> resp) {
    IngestGrant g = Grants.current();
    unary(resp, () -> {
      DebuginfoStore.Decision d = store.shouldInitiateUpload(g.projectId(), req.getBuildId(), req.getTypeValue(),
          req.getHash(), req.getForce());
      return ShouldInitiateUploadResponse.newBuilder().setShouldInitiateUpload(d.shouldUpload()).setReason(d.reason())
          .build();
    });
  }

  @Override
  public void initiateUpload(InitiateUploadRequest req, StreamObserver<InitiateUploadResponse> resp) {
    IngestGrant g = Grants.current();
    unary(resp, () -> {
      String uploadId = store.initiateUpload(g.projectId(), req.getBuildId(), req.getTypeValue(), req.getHash(),
          req.getSize(), req.getForce(), g.sourceId());
      return InitiateUploadResponse.newBuilder().setUploadInstructions(UploadInstructions.newBuilder()
          .setBuildId(req.getBuildId()).setUploadId(uploadId).setType(req.getType())
          .setUploadStrategy(UploadInstructions.UploadStrategy.UPLOAD_STRATEGY_GRPC)).build();
    });
  }

  @Override
  public void markUploadFinished(MarkUploadFinishedRequest req, StreamObserver<MarkUploadFinishedResponse> resp) {
    IngestGrant g = Grants.current();
    unary(resp, () -> {
      store.markUploadFinished(g.projectId(), req.getBuildId(), req.getTypeValue(), req.getUploadId());
      return MarkUploadFinishedResponse.getDefaultInstance();
    });
  }

  @Override
  public StreamObserver<UploadRequest> upload(StreamObserver<UploadResponse> response) {
    IngestGrant g = Grants.current();
    ServerCallStreamObserver<UploadResponse> call = (ServerCallStreamObserver<UploadResponse>) response;
    // one chunk at a time: the next is requested once the previous is on disk, so memory stays bounded
    call.disableAutoRequest();
    call.request(1);
    Executor serial = new SerialExecutor(work);
    return new StreamObserver<>() {
      private UploadSession session;
      private String buildId;
      private boolean failed;

      @Override
      public void onNext(UploadRequest req) {
        serial.execute(() -> {
          if (failed) {
            return;
          }
          try {
            if (session == null) {
              if (!req.hasInfo()) {
                throw new DebuginfoException(DebuginfoException.Reason.INVALID, "upload stream must start with info");
              }
              buildId = req.getInfo().getBuildId();
              session = store.openUpload(g.projectId(), buildId, req.getInfo().getTypeValue(),
                  req.getInfo().getUploadId());
            } else if (req.hasChunkData()) {
              session.write(req.getChunkData().asReadOnlyByteBuffer());
            } else {
              throw new DebuginfoException(DebuginfoException.Reason.INVALID, "info may only be sent first");
            }
            call.request(1);
          } catch (Throwable t) {
            refuse(t);
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        serial.execute(() -> {
          failed = true;
          discard();
        });
      }

      @Override
      public void onCompleted() {
        serial.execute(() -> {
          if (failed) {
            return;
          }
          try {
            if (session == null) {
              throw new DebuginfoException(DebuginfoException.Reason.INVALID, "upload stream must start with info");
            }
            long size = session.finish();
            response.onNext(UploadResponse.newBuilder().setBuildId(buildId).setSize(size).build());
            response.onCompleted();
          } catch (Throwable t) {
            refuse(t);
          }
        });
      }

      /** Drops the partial upload and answers with the error: every failing path ends the call. */
      private void refuse(Throwable t) {
        failed = true;
        discard();
        response.onError(GrpcErrors.toStatus(t));
      }

      /** Drops the partial upload, if one was opened; a failure to delete it must not keep the call unanswered. */
      private void discard() {
        if (session == null) {
          return;
        }
        try {
          session.close();
        } catch (RuntimeException e) {
          log.warn("dropping the partial upload of build id {} failed", buildId, e);
        }
      }
    };
  }
}
