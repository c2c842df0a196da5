package dev.tollgate.testing;

import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.grpc.GrpcClients;

/**
 * grpc-java stubs over Armeria's client transport (grpc-netty is not on the classpath), with the
 * metadata agents send: {@code authorization: Bearer <token>} and {@code projectID}.
 */
public final class GrpcTestClients {
  private GrpcTestClients() {}

  /** @param token sent as {@code Bearer <token>} unless null; @param projectId sent as {@code projectID} unless null */
  public static <T> T stub(String baseUrl, String token, String projectId, Class<T> stubClass) {
    GrpcClientBuilder b = GrpcClients.builder(baseUrl)
        .maxRequestMessageLength(64 << 20)
        .maxResponseMessageLength(64 << 20)
        .maxResponseLength(64 << 20);
    if (token != null) {
      b.addHeader("authorization", "Bearer " + token);
    }
    if (projectId != null) {
      b.addHeader("projectID", projectId);
    }
    return b.build(stubClass);
  }
}
