package dev.tollgate.query;

import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;

/**
 * The gRPC edge of the read path: Parca's {@code parca.query.v1alpha1.QueryService}. Thin: reads
 * the grant the interceptor placed in the context, calls the domain and maps its exceptions to
 * status codes.
 */
final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {
}
