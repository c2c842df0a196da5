package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.ServerProcess;
import dev.tollgate.testing.StreamRecorder;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM lets a request that is already in flight finish, then the process exits 0. */
class GracefulShutdownTest {
  @TempDir Path dir;

  @Test
  void sigtermDuringAStreamingUpload_letsItFinish_thenExitsZero() throws Exception {
    Path tokenFile = dir.resolve("owner.token");
    try (ServerProcess server = ServerProcess.start(dir, "--data-dir=" + dir.resolve("data"),
        "--bootstrap-token-file=" + tokenFile, "--drain-timeout=PT20S")) {
      String project = server.defaultProjectId();
      String token = Files.readString(tokenFile).strip();
      int port = Integer.parseInt(server.url().substring(server.url().lastIndexOf(':') + 1));
      ManagedChannel channel = GrpcChannels.plaintext(port);
      try {
        var headers = GrpcChannels.headers("Bearer " + token, project);
        byte[] chunk = new byte[64 * 1024];
        String uploadId = DebuginfoServiceGrpc.newBlockingStub(channel).withInterceptors(headers)
            .initiateUpload(InitiateUploadRequest.newBuilder().setBuildId("0123456789abcdef").setHash("h")
                .setSize(2L * chunk.length).build())
            .getUploadInstructions().getUploadId();

        StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
        CompletableFuture<UploadResponse> result = answer.first();
        StreamObserver<UploadRequest> upload = DebuginfoServiceGrpc.newStub(channel).withInterceptors(headers)
            .upload(answer);
        upload.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder()
            .setBuildId("0123456789abcdef").setUploadId(uploadId)).build());
        upload.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(chunk)).build());

        server.process().toHandle().destroy(); // SIGTERM while the upload is half sent
        Thread.sleep(1500);
        assertThat(server.process().isAlive()).as("still draining").isTrue();
        upload.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(chunk)).build());
        upload.onCompleted();

        UploadResponse done = result.get(30, TimeUnit.SECONDS);
        assertThat(done.getSize()).isEqualTo(2L * chunk.length);
        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).isZero();
      } finally {
        GrpcChannels.close(channel);
      }
    }
  }
}
