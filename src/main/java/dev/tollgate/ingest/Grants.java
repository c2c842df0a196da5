package dev.tollgate.ingest;

import io.grpc.Context;

/** Carries the {@link IngestGrant} from {@link IngestAuthInterceptor} to the services in the gRPC {@link Context}. */
final class Grants {
  static final Context.Key<IngestGrant> KEY = Context.key("tollgate-ingest-grant");

  private Grants() {}

  /** The grant of the current call; the interceptor guarantees there is one. */
  static IngestGrant current() {
    IngestGrant g = KEY.get();
    if (g == null) {
      throw new IllegalStateException("no ingest grant in the gRPC context; is IngestAuthInterceptor installed?");
    }
    return g;
  }
}
