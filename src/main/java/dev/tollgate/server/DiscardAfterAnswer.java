package dev.tollgate.server;

import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.stream.SubscriptionOption;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.RoutingContext;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.Set;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Reads and throws away what a client still sends after its call was answered.
 *
 * <p>A refused gRPC call (a revoked token on a 60 MiB WriteRaw, a Write stream refused at its
 * first record) is answered while the client is still sending; the server drains the rest for
 * {@link TollgateServer#DRAIN_AFTER_ANSWER} so the client reads the status rather than a reset.
 * But bytes that arrive for a request nobody reads any more stay buffered, and Armeria stops
 * reading the whole HTTP/2 connection once a connection window's worth is unread - so one
 * refused stream stalled every other call of that agent (they share one connection) until the
 * drain ended, 10 s later. Here the request is relayed to the service with its backpressure
 * while the service reads, and consumed as it arrives once the service stops reading or the
 * answer is complete.
 *
 * <p>The request length limit is counted here too, for the same reason: Armeria's own limit
 * resets the stream at once, and a client still sending (C-core: Go and Python agents) then
 * reports CANCELLED rather than RESOURCE_EXHAUSTED, and retries nothing it should. Here an
 * oversize request ends the service's side with RESOURCE_EXHAUSTED and the rest is drained like
 * any answered call's; Armeria's limit stays as a backstop, {@link #BACKSTOP_FACTOR} times
 * higher, for a client that never stops sending. A unary call's message is longer than its
 * limit as soon as its 5-byte gRPC prefix says so: it is answered then, not after Armeria has
 * counted 64 MiB of it (whose own answer to that is a reset). For that, every call is read as a
 * stream ({@link #exchangeType}): Armeria would otherwise collect a unary request whole, at its
 * fixed limit, before anything here sees a byte; the unary call then collects it itself.
 */
final class DiscardAfterAnswer extends SimpleDecoratingHttpService {

  static final int BACKSTOP_FACTOR = 2;

  private final long maxMessageBytes;
  /** Paths of the unary methods, e.g. {@code /parca.profilestore.v1alpha1.ProfileStoreService/WriteRaw}. */
  private final Set<String> unaryPaths;

  DiscardAfterAnswer(HttpService delegate, long maxMessageBytes, Set<String> unaryPaths) {
    super(delegate);
    this.maxMessageBytes = maxMessageBytes;
    this.unaryPaths = Set.copyOf(unaryPaths);
  }

  @Override
  public ExchangeType exchangeType(RoutingContext routingContext) {
    return ExchangeType.BIDI_STREAMING;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    long limit = ctx.maxRequestLength(); // 0: none; set per route before this runs
    if (limit > 0) {
      ctx.setMaxRequestLength(limit > Long.MAX_VALUE / BACKSTOP_FACTOR ? 0 : limit * BACKSTOP_FACTOR);
    }
    // Unary framed binary gRPC (native or gRPC-Web) only: unframed and base64 text carry no length
    // prefix, and a stream's deframer reads each prefix as it comes.
    MediaType type = req.contentType();
    boolean framed = UnknownGrpcMethods.isGrpc(type) && !type.subtype().contains("-text")
        && unaryPaths.contains(ctx.path());
    Relay relay = new Relay(HttpRequest.streaming(req.headers()), limit, framed ? maxMessageBytes : 0);
    // Pooled, as the gRPC service itself would read it: handed on without a copy.
    req.subscribe(relay, ctx.eventLoop(), SubscriptionOption.WITH_POOLED_OBJECTS);
    ctx.updateRequest(relay.downstream);
    HttpResponse res = unwrap().serve(ctx, relay.downstream);
    res.whenComplete().handle((ok, cause) -> {
      relay.discardRest();
      return null;
    });
    return res;
  }

  /** Hands the request on one object at a time as the service consumes it, or discards. */
  private static final class Relay implements Subscriber<HttpObject> {
    final HttpRequestWriter downstream;
    private final long limit;
    /** The first message's declared length is checked against this; 0: not checked. */
    private final long maxFirstMessage;
    /** The first message's 5-byte prefix as far as it has arrived. */
    private final byte[] prefix = new byte[5];
    private int prefixRead;
    private volatile Subscription upstream;
    private volatile boolean discarding;
    /** Bytes of content handed on; only onNext touches it (one thread at a time). */
    private long received;

    Relay(HttpRequestWriter downstream, long limit, long maxFirstMessage) {
      this.downstream = downstream;
      this.limit = limit;
      this.maxFirstMessage = maxFirstMessage;
      // The service cancelled or aborted its side: nothing it would read is coming any more.
      downstream.whenComplete().handle((ok, cause) -> {
        if (cause != null) {
          discardRest();
        }
        return null;
      });
    }

    @Override
    public void onSubscribe(Subscription s) {
      upstream = s;
      if (discarding) {
        s.request(Long.MAX_VALUE);
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(HttpObject obj) {
      if (!discarding && obj instanceof HttpData data) {
        received += data.length();
        if (maxFirstMessage > 0 && prefixRead < prefix.length) {
          int n = Math.min(prefix.length - prefixRead, data.length());
          ByteBuf buf = data.byteBuf(); // a view, not a copy
          buf.getBytes(buf.readerIndex(), prefix, prefixRead, n);
          prefixRead += n;
          long declared = prefixRead == prefix.length ? ByteBuffer.wrap(prefix, 1, 4).getInt() & 0xffffffffL : 0;
          if (declared > maxFirstMessage) {
            downstream.abort(Status.RESOURCE_EXHAUSTED.withDescription(
                OversizeGrpcRequests.message(maxFirstMessage)).asRuntimeException());
          }
        }
        if (limit > 0 && received > limit) {
          // The service's side fails with this status, which is what the client is answered.
          downstream.abort(Status.RESOURCE_EXHAUSTED.withDescription(
              "request larger than the server's limit of " + limit + " bytes").asRuntimeException());
        }
      }
      if (discarding || !downstream.tryWrite(obj)) {
        release(obj); // read, so the connection goes on; nobody wants it
        discardRest();
        return;
      }
      downstream.whenConsumed().thenRun(() -> {
        if (!discarding) {
          upstream.request(1);
        }
      });
    }

    @Override
    public void onError(Throwable t) {
      downstream.abort(t);
    }

    @Override
    public void onComplete() {
      downstream.close();
    }

    private static void release(HttpObject obj) {
      if (obj instanceof HttpData data) {
        data.close();
      }
    }

    void discardRest() {
      if (discarding) {
        return;
      }
      discarding = true;
      Subscription s = upstream;
      if (s != null) {
        s.request(Long.MAX_VALUE);
      }
      downstream.abort();
    }
  }
}
