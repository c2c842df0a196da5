package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.tollgate.cluster.Nodes;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.StoredBlob;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * The stored bytes of a profile, wherever they are: this node's data directory, else the server
 * that stored them (several servers on one database), fetched through its raw-download route with
 * the caller's own credentials, so that server decides again. Empty when the profile expired meanwhile.
 */
final class BlobReader implements AutoCloseable {
  /** The header the raw-download route reads to never forward further (see ingest's PeerDownloads). */
  static final String FORWARDED_BY = "x-tollgate-forwarded-by";
  private static final long MAX_RESPONSE_BYTES = (64L << 20) + (1 << 20);

  /** What the caller presented, passed on to a peer. */
  record Credentials(String authorization, String cookie) {
    @Override
    public String toString() {
      return "Credentials[<secret>]";
    }
  }

  private final ProfileStore store;
  private final Nodes nodes;
  private final String selfId;
  private final ClientFactory clients = ClientFactory.builder().build();

  BlobReader(ProfileStore store, Nodes nodes, String selfId) {
    this.store = requireNonNull(store, "store");
    this.nodes = nodes;
    this.selfId = selfId;
  }

  Optional<byte[]> read(UUID projectId, String profileId, Credentials credentials) {
    Optional<StoredBlob> local = store.read(projectId, profileId);
    if (local.isPresent()) {
      return Optional.of(local.get().bytes());
    }
    Optional<String> holder = store.storedElsewhere(projectId, profileId);
    if (holder.isEmpty() || nodes == null) {
      return Optional.empty();
    }
    String url = nodes.url(holder.get()).orElseThrow(() -> new PeerUnavailableException("profile " + profileId
        + " is stored by another server (node " + holder.get() + ") that has not registered its address"));
    RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.GET,
        "/v1/projects/" + projectId + "/profiles/" + profileId + "/raw").set(FORWARDED_BY, selfId == null ? "query" : selfId);
    if (credentials.authorization() != null) {
      headers.set("authorization", credentials.authorization());
    }
    if (credentials.cookie() != null) {
      headers.set("cookie", credentials.cookie());
    }
    AggregatedHttpResponse r;
    try {
      r = WebClient.builder(url).factory(clients).responseTimeout(Duration.ofSeconds(30))
          .maxResponseLength(MAX_RESPONSE_BYTES).build().execute(headers.build()).aggregate().join();
    } catch (CompletionException e) {
      throw new PeerUnavailableException("profile " + profileId + " is stored by the server at " + url
          + ", which cannot be reached right now");
    }
    if (r.status().code() == 404) {
      return Optional.empty();
    }
    if (r.status().code() != 200) {
      throw new PeerUnavailableException("the server at " + url + " holding profile " + profileId + " answered "
          + r.status().code());
    }
    return Optional.of(r.content().array());
  }

  @Override
  public void close() {
    clients.close();
  }

  /** A profile is on a server that cannot be asked now; UNAVAILABLE at the edge. */
  static final class PeerUnavailableException extends RuntimeException {
    PeerUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
