package dev.tollgate.query;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorizes every query call before the service sees it: {@code profile.read} in the project of
 * the {@code projectid} header, by bearer token or console session cookie (with its CSRF header).
 * Fails closed: an unexpected exception or a null grant is UNAUTHENTICATED with a constant message.
 */
final class QueryAuthInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(QueryAuthInterceptor.class);
  static final Context.Key<QueryGrant> GRANT = Context.key("tollgate-query-grant");
  static final Context.Key<BlobReader.Credentials> CREDENTIALS = Context.key("tollgate-query-credentials");
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> PROJECT_ID = Metadata.Key.of("projectid", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> COOKIE = Metadata.Key.of("cookie", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CSRF = Metadata.Key.of("x-csrf-token", Metadata.ASCII_STRING_MARSHALLER);
  static final String FAILED = "authentication failed";

  private final QueryAccess access;

  QueryAuthInterceptor(QueryAccess access) {
    this.access = access;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    QueryGrant grant;
    String cookie = cookies(headers);
    try {
      grant = access.authorize(headers.get(AUTHORIZATION), cookie, headers.get(CSRF),
          headers.get(PROJECT_ID), clientIp());
      if (grant == null) {
        throw new IllegalStateException("query access returned no grant");
      }
    } catch (StatusRuntimeException e) {
      call.close(e.getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    } catch (dev.tollgate.errors.TollgateException e) {
      // UNAVAILABLE: the access rules cannot be confirmed current; retry later.
      call.close(e.kind() == dev.tollgate.errors.TollgateException.Kind.UNAVAILABLE
          ? Status.UNAVAILABLE.withDescription(e.getMessage())
          : Status.UNAUTHENTICATED.withDescription(FAILED), new Metadata());
      return new ServerCall.Listener<>() {};
    } catch (RuntimeException e) {
      // the exception's message may quote the credential, so only its type is logged
      log.warn("authorizing {} failed with {}; refusing the call", call.getMethodDescriptor().getFullMethodName(),
          e.getClass().getName());
      call.close(Status.UNAUTHENTICATED.withDescription(FAILED), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValues(GRANT, grant, CREDENTIALS,
        new BlobReader.Credentials(headers.get(AUTHORIZATION), cookie)), call, headers, next);
  }

  /** HTTP/2 may split cookies over several headers; they are joined as one cookie header. */
  private static String cookies(Metadata headers) {
    Iterable<String> all = headers.getAll(COOKIE);
    return all == null ? null : String.join("; ", all);
  }

  /** Written as the audit log writes every address ({@code ::1}, {@code 127.0.0.1} for a mapped IPv4). */
  private static String clientIp() {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    return ctx == null ? null : dev.tollgate.audit.ClientAddresses.of(ctx);
  }
}
