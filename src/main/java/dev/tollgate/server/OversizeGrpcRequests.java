package dev.tollgate.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers a gRPC request that outgrew the request length limit with gRPC RESOURCE_EXHAUSTED in
 * trailers-only form, instead of Armeria's HTTP 413, which gRPC clients see as UNKNOWN (C-core)
 * or guess at. A unary call's request is read whole before its message is looked at, so a message
 * over 64 MiB meets the HTTP limit first; streaming calls meet the message limit, which is
 * RESOURCE_EXHAUSTED already. Everything else is left to Armeria's default handling.
 */
final class OversizeGrpcRequests implements ServerErrorHandler {
  private final long maxMessageBytes;

  OversizeGrpcRequests(long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return null; // not ours: the default handler
  }

  @Override
  public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
      HttpStatus status, String description, Throwable cause) {
    if (status != HttpStatus.REQUEST_ENTITY_TOO_LARGE || headers == null
        || !UnknownGrpcMethods.isGrpc(headers.contentType())) {
      return null;
    }
    String message = "request message larger than the server's limit of " + maxMessageBytes + " bytes";
    return AggregatedHttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
        .contentType(headers.contentType())
        .add("grpc-status", Integer.toString(Status.Code.RESOURCE_EXHAUSTED.value()))
        .add("grpc-message", URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
        .build());
  }
}
