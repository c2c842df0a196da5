package dev.tollgate.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

  /**
   * A channel that sends each call to the next of {@code channels} in turn (one per server), so
   * that a sequence of calls goes round robin over the servers, deterministically.
   */
  public static Channel roundRobin(List<? extends Channel> channels) {
    List<Channel> all = List.copyOf(channels);
    AtomicInteger next = new AtomicInteger();
    return new Channel() {
      @Override
      public <Q, A> ClientCall<Q, A> newCall(MethodDescriptor<Q, A> method, CallOptions options) {
        return all.get(Math.floorMod(next.getAndIncrement(), all.size())).newCall(method, options);
      }

      @Override
      public String authority() {
        return all.getFirst().authority();
      }
    };
  }

  public static void close(ManagedChannel ch) throws InterruptedException {
    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
