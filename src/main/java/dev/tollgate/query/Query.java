package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import dev.tollgate.profiles.ProfileStore;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;

/**
 * The read path, composed: Parca's QueryService over a {@link ProfileStore}, behind the
 * {@code profile.read} interceptor. Mount {@link #grpcService()} on the server's GrpcService.
 */
public final class Query {
  private final ServerServiceDefinition service;

  public Query(ProfileStore store, QueryAccess access) {
    requireNonNull(store, "store");
    this.service = ServerInterceptors.intercept(new QueryGrpcService(), new QueryAuthInterceptor(
        requireNonNull(access, "access")));
  }

  /** The intercepted {@code parca.query.v1alpha1.QueryService}. */
  public ServerServiceDefinition grpcService() {
    return service;
  }
}
