package dev.tollgate.ingest;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorizes every ingestion call before the service sees it: reads {@code authorization} and
 * {@code projectid}, asks the {@link CallAuthorizer} for the method's permission, and either closes
 * the call with the refusal or runs it with the grant in the gRPC {@link Context}. Fails closed: an
 * unexpected exception or a null grant is UNAUTHENTICATED. Also counts every call's outcome.
 */
final class IngestAuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(IngestAuthInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> PROJECT_ID = Metadata.Key.of("projectid", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);
  /** The service whose failed calls count as refusals of their source (see {@link BlobRecorder#refused}). */
  private static final String PROFILE_STORE = "parca.profilestore.v1alpha1.ProfileStoreService";

  private final CallAuthorizer authorizer;
  private final IngestMetrics metrics;
  private final IngestStats stats;

  IngestAuthInterceptor(CallAuthorizer authorizer, IngestMetrics metrics, IngestStats stats) {
    this.authorizer = authorizer;
    this.metrics = metrics;
    this.stats = stats;
  }

  /** The permission a method needs; null for methods this interceptor does not know (refused). */
  static String permissionFor(String serviceName) {
    return switch (serviceName) {
      case "parca.profilestore.v1alpha1.ProfileStoreService", "parca.telemetry.v1alpha1.TelemetryService",
          "opentelemetry.proto.collector.logs.v1.LogsService",
          "opentelemetry.proto.collector.metrics.v1.MetricsService" -> CallAuthorizer.PROFILE_WRITE;
      case "parca.debuginfo.v1alpha1.DebuginfoService" -> CallAuthorizer.DEBUGINFO_WRITE;
      default -> null;
    };
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    String permission = permissionFor(call.getMethodDescriptor().getServiceName());
    IngestGrant grant;
    String clientIp = clientIp(call);
    String userAgent = userAgent(headers);
    try {
      if (permission == null) {
        throw new IngestRefusedException(Status.PERMISSION_DENIED.withDescription("method is not an ingestion method"));
      }
      grant = authorizer.authorize(headers.get(AUTHORIZATION), headers.get(PROJECT_ID), clientIp, permission);
      if (grant == null) {
        throw new IllegalStateException("authorizer returned no grant");
      }
    } catch (IngestRefusedException e) {
      return refuse(call, method, e, clientIp, userAgent);
    } catch (dev.tollgate.errors.TollgateException e) {
      // UNAVAILABLE: the access rules cannot be confirmed current; the agent retries later.
      Status s = e.kind() == dev.tollgate.errors.TollgateException.Kind.UNAVAILABLE
          ? Status.UNAVAILABLE.withDescription(e.getMessage())
          : Status.UNAUTHENTICATED.withDescription("authentication failed");
      return refuse(call, method, new IngestRefusedException(s), clientIp, userAgent);
    } catch (RuntimeException e) {
      // the exception's message may quote the credential, so only its type is logged
      log.warn("authorizing {} failed with {}; refusing the call", method, e.getClass().getName());
      return refuse(call, method, new IngestRefusedException(
          Status.UNAUTHENTICATED.withDescription("authentication failed")), clientIp, userAgent);
    }
    IngestGrant g = grant;
    boolean profiles = PROFILE_STORE.equals(call.getMethodDescriptor().getServiceName());
    ServerCall<Q, A> counted = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.call(g.projectId(), method, status.getCode());
        if (profiles && !status.isOk()) {
          // An authorized call refused for its data (invalid, too large, server full): why, for the data page.
          stats.refusedBecause(g.projectId(), new IngestStats.Refusal(status.getCode().name(),
              status.getDescription(), method, g.sourceId(), g.sourceName(), clientIp, userAgent));
        }
        super.close(status, trailers);
      }
    };
    return Contexts.interceptCall(Context.current().withValue(Grants.KEY, g), counted, headers, next);
  }

  /**
   * The caller's address as the REST side sees it (resolved at the edge, believing a trusted
   * proxy's {@code X-Forwarded-For}), else the transport's peer address.
   */
  private static String clientIp(ServerCall<?, ?> call) {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    if (ctx != null) {
      return dev.tollgate.audit.ClientAddresses.of(ctx);
    }
    return call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) instanceof InetSocketAddress a
        && a.getAddress() != null ? dev.tollgate.audit.ClientAddresses.display(a.getAddress()) : null;
  }

  /** The client's user agent as it sent it (gRPC clients name themselves and their version), or null. */
  private static String userAgent(Metadata headers) {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    String ua = ctx == null ? null : ctx.request().headers().get(com.linecorp.armeria.common.HttpHeaderNames.USER_AGENT);
    return ua != null ? ua : headers.get(USER_AGENT);
  }

  private <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, String method, IngestRefusedException e,
      String clientIp, String userAgent) {
    metrics.call(e.projectId(), method, e.status().getCode());
    if (e.claimedProjectId() != null || e.status().getCode() == Status.Code.UNAUTHENTICATED) {
      metrics.unauthenticated(e.claimedProjectId(), method, e.status().getCode());
    }
    if (e.projectId() != null) {
      stats.refused(e.projectId(), e.sourceId());
      stats.refusedBecause(e.projectId(), new IngestStats.Refusal(e.status().getCode().name(),
          e.status().getDescription(), method, e.sourceId(), null, clientIp, userAgent));
    }
    call.close(e.status(), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
