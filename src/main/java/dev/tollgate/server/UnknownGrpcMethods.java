package dev.tollgate.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.grpc.Status;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers a gRPC request (content type {@code application/grpc*}) that no gRPC service took - an
 * unknown service or method - with gRPC UNIMPLEMENTED in trailers-only form (HTTP 200, status
 * in the only headers frame), as grpc-go and grpc-java servers do, instead of the HTTP 405 of
 * the catch-all it decorates, which clients see as UNKNOWN. Anything else goes to that service.
 */
final class UnknownGrpcMethods extends SimpleDecoratingHttpService {
  UnknownGrpcMethods(HttpService delegate) {
    super(delegate);
  }

  static boolean isGrpc(MediaType type) {
    return type != null && type.type().equals("application") && type.subtype().startsWith("grpc");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, com.linecorp.armeria.common.HttpRequest req) throws Exception {
    MediaType type = req.contentType();
    if (!isGrpc(type)) {
      return unwrap().serve(ctx, req);
    }
    String path = ctx.path();
    String message = "unknown gRPC method " + path + ": this server does not serve it";
    ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.OK)
        .contentType(type)
        .add("grpc-status", Integer.toString(Status.Code.UNIMPLEMENTED.value()))
        .add("grpc-message", URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
        .endOfStream(true) // trailers-only: no DATA frame may follow (grpc-java calls that INTERNAL)
        .build();
    // Read the request to its end first, so the answer is not followed by a reset of the stream.
    return HttpResponse.of(req.aggregate().handle((ignored, t) -> HttpResponse.of(headers)));
  }
}
