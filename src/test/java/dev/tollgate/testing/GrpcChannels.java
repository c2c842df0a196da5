package dev.tollgate.testing;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/**
 * Plain grpc-java channels (Netty transport, as a Go or Java agent would connect), with the
 * metadata Parca clients send. Close the channel after use.
 */
public final class GrpcChannels {
  private GrpcChannels() {}

  public static ManagedChannel plaintext(int port) {
    return NettyChannelBuilder.forAddress("localhost", port).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
  }

  /** Metadata {@code authorization: Bearer <token>} and {@code projectID: <id>}, each only when non-null. */
  public static io.grpc.ClientInterceptor headers(String authorization, String projectId) {
    Metadata md = new Metadata();
    if (authorization != null) {
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    if (projectId != null) {
      md.put(Metadata.Key.of("projectID", Metadata.ASCII_STRING_MARSHALLER), projectId);
    }
    return MetadataUtils.newAttachHeadersInterceptor(md);
  }

  public static void close(ManagedChannel ch) throws InterruptedException {
    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
