package dev.tollgate.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers a gRPC request that outgrew the request length limit with gRPC RESOURCE_EXHAUSTED in
 * trailers-only form, instead of Armeria's HTTP 413, which gRPC clients see as UNKNOWN (C-core)
 * or guess at, and gives the same message to the oversize refusals that happen inside the gRPC
 * call ({@link #grpcExceptionHandler}). {@link DiscardAfterAnswer} answers an oversize message
 * before these limits are met; the 413 remains for what it does not see. Everything else is left
 * to Armeria's default handling.
 */
final class OversizeGrpcRequests implements ServerErrorHandler {
  private final long maxMessageBytes;

  OversizeGrpcRequests(long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The same answer when the call itself meets the limit (its request fails while the service
   * reads it): RESOURCE_EXHAUSTED with the limit, not Armeria's bare RESOURCE_EXHAUSTED.
   */
  static GrpcExceptionHandlerFunction grpcExceptionHandler(long maxMessageBytes) {
    return (ctx, status, cause, metadata) -> {
      Throwable peeled = cause == null ? null : Exceptions.peel(cause);
      boolean tooLarge = peeled instanceof ContentTooLargeException
          || peeled instanceof HttpStatusException e && e.httpStatus() == HttpStatus.REQUEST_ENTITY_TOO_LARGE
          // a stream's deframer: "...ArmeriaMessageDeframer: Frame size N exceeds maximum: M."
          || status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
              && status.getDescription().contains("exceeds maximum");
      return tooLarge ? Status.RESOURCE_EXHAUSTED.withDescription(message(maxMessageBytes)) : null;
    };
  }

  static String message(long maxMessageBytes) {
    return "request message larger than the server's limit of " + maxMessageBytes + " bytes";
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
    String message = message(maxMessageBytes);
    return AggregatedHttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
        .contentType(headers.contentType())
        .add("grpc-status", Integer.toString(Status.Code.RESOURCE_EXHAUSTED.value()))
        .add("grpc-message", URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
        .build());
  }
}
