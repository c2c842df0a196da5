package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.tollgate.cluster.Nodes;
import dev.tollgate.errors.TollgateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Raw downloads of profiles another server stored: with several servers on one database, each
 * keeps the bytes it received in its own data directory, so a download that reaches the wrong
 * one is fetched from the right one. The caller's credentials go along and the peer decides
 * again; the request is marked, so a peer never forwards it further (no loops).
 */
final class PeerDownloads implements AutoCloseable {
  static final String FORWARDED_BY = "x-tollgate-forwarded-by";
  // The largest stored blob is one 64 MiB gRPC message.
  private static final long MAX_RESPONSE_BYTES = (64L << 20) + (1 << 20);

  private final Nodes nodes;
  private final String selfId;
  private final ClientFactory clients = ClientFactory.builder().build();

  PeerDownloads(Nodes nodes, String selfId) {
    this.nodes = requireNonNull(nodes, "nodes");
    this.selfId = requireNonNull(selfId, "selfId");
  }

  /** Whether this request came from a peer (and so must be answered from here alone). */
  static boolean forwarded(ServiceRequestContext ctx) {
    return ctx.request().headers().contains(FORWARDED_BY);
  }

  /** The peer's answer to the same request: the download, or its refusal as it gave it. */
  HttpResponse fetch(ServiceRequestContext ctx, String nodeId, String profileId) {
    String url = nodes.url(nodeId).orElseThrow(() -> TollgateException.unavailable("profile " + profileId
        + " is stored by another server (node " + nodeId + ") that has not registered its address"));
    RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.GET, ctx.path()).set(FORWARDED_BY, selfId);
    for (var name : List.of(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.COOKIE)) {
      String value = ctx.request().headers().get(name);
      if (value != null) {
        headers.set(name, value);
      }
    }
    try {
      AggregatedHttpResponse response = WebClient.builder(url).factory(clients)
          .responseTimeout(Duration.ofSeconds(30)).maxResponseLength(MAX_RESPONSE_BYTES).build()
          .execute(headers.build()).aggregate().join();
      return response.toHttpResponse();
    } catch (CompletionException e) {
      throw TollgateException.unavailable("profile " + profileId + " is stored by the server at " + url
          + ", which cannot be reached right now");
    }
  }

  @Override
  public void close() {
    clients.close();
  }
}
