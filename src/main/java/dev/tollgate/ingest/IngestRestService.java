package dev.tollgate.ingest;

import dev.tollgate.errors.TollgateException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.ProducesJson;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.StoredBlob;
import dev.tollgate.profiles.StoredProfile;
import dev.tollgate.profiles.Totals;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Read side of ingestion, so users can see their data arrive: stats, series, profiles and raw
 * downloads under {@code /v1/projects/{project_id}/}. Every route first asks
 * {@link ProjectReadAccess} for {@code profile.read} on the project.
 */
public final class IngestRestService {
  private static final Pattern SERIES_ID = Pattern.compile("[0-9a-f]{32}");
  private static final int MAX_PROFILES = 1000;
  /** Distinct refusals listed at most, the latest first. */
  private static final int MAX_REFUSALS = 100;

  private final ProfileStore store;
  private final IngestStats stats;
  private final ProjectReadAccess access;
  private final PeerDownloads peers;
  private final OtlpStore otlp;
  private final java.time.InstantSource clock;
  private final SourceTokens tokens;
  private static final com.fasterxml.jackson.databind.ObjectMapper TREE = new com.fasterxml.jackson.databind.ObjectMapper();

  IngestRestService(ProfileStore store, IngestStats stats, ProjectReadAccess access, PeerDownloads peers,
      OtlpStore otlp, java.time.InstantSource clock, SourceTokens tokens) {
    this.tokens = tokens;
    this.otlp = otlp;
    this.clock = clock;
    this.store = store;
    this.stats = stats;
    this.access = access;
    this.peers = peers;
  }

  /** Counts of one window. */
  public record WindowJson(long calls, long bytes, long series, long refusals) {}

  /**
   * One source or node: recent activity from memory, totals from the index. {@code sourceState}
   * (sources only): {@code active}, {@code deleted} (its token no longer exists), or null when
   * unknown or when the source is refused calls without a valid token ({@code sourceId} "unknown").
   */
  public record ActivityJson(String sourceId, String sourceName, String sourceState, String node,
      String lastReceived, WindowJson last5m, WindowJson lastHour, long totalProfiles, long totalBytes) {}

  /** One distinct refusal of the last hour: status code name, the reason the client got, and from where. */
  public record RefusalJson(String status, String reason, String method, String sourceId, String sourceName,
      String sourceState, String clientIp, String userAgent, long calls, String lastAt) {}

  public record StatsJson(List<ActivityJson> sources, List<ActivityJson> nodes, List<OtlpNodeJson> otlpNodes,
      List<RefusalJson> refusals) {}

  /** OTLP data stored for one node (null: the resource named none). */
  public record OtlpNodeJson(String node, long logRecords, long metricPoints, String lastReceived) {}

  public record OtlpLogJson(String time, String node, int severityNumber, String severityText, String body,
      com.fasterxml.jackson.databind.JsonNode attributes, com.fasterxml.jackson.databind.JsonNode resource,
      String scope) {}

  public record OtlpLogListJson(List<OtlpLogJson> logs) {}

  public record OtlpMetricJson(String name, String unit, String type, String node, long points, String lastTime,
      Double lastValue) {}

  public record OtlpMetricListJson(List<OtlpMetricJson> metrics) {}

  public record SeriesJson(String id, SortedMap<String, String> labels, List<String> profileTypes, String firstSeen,
      String lastSeen, long count) {}

  public record SeriesListJson(List<SeriesJson> series) {}

  public record ProfileJson(String id, String seriesId, SortedMap<String, String> labels, List<String> profileTypes,
      String kind, String receivedAt, String sampleTime, String sampleEnd, long size, String sourceId, String sourceName,
      String node) {}

  /** {@code truncated}: the range holds older profiles than these; ask again with {@code to} = the first one's time. */
  public record ProfileListJson(List<ProfileJson> profiles, boolean truncated) {}

  @Get("/v1/projects/{project_id}/ingest/stats")
  @Blocking
  @ProducesJson
  public StatsJson stats(ServiceRequestContext ctx, @Param("project_id") String projectIdParam) {
    UUID projectId = projectId(ctx, projectIdParam);
    Map<String, ActivityJson> sources = new LinkedHashMap<>();
    Map<String, ActivityJson> nodes = new LinkedHashMap<>();
    for (Totals t : store.totalsBySource(projectId)) {
      sources.put(t.key(), new ActivityJson(t.key(), t.name(), null, null, time(t.lastReceived()), zero(), zero(),
          t.profiles(), t.bytes()));
    }
    for (Totals t : store.totalsByNode(projectId)) {
      nodes.put(t.key(), new ActivityJson(null, null, null, t.key(), time(t.lastReceived()), zero(), zero(),
          t.profiles(), t.bytes()));
    }
    for (IngestStats.Activity a : stats.snapshot(projectId)) {
      boolean source = a.kind() == IngestStats.Kind.SOURCE;
      Map<String, ActivityJson> target = source ? sources : nodes;
      ActivityJson prev = target.get(a.id());
      String last = a.lastReceived() != null ? time(a.lastReceived()) : prev == null ? null : prev.lastReceived();
      target.put(a.id(), new ActivityJson(source ? a.id() : null,
          source ? (a.name() != null ? a.name() : prev == null ? null : prev.sourceName()) : null, null,
          source ? null : a.id(), last, window(a.last5m()), window(a.lastHour()),
          prev == null ? 0 : prev.totalProfiles(), prev == null ? 0 : prev.totalBytes()));
    }
    Map<String, String> states = new LinkedHashMap<>();
    List<ActivityJson> sourceList = sources.values().stream().map(a -> new ActivityJson(a.sourceId(),
        a.sourceName() != null || a.sourceId().equals("unknown") ? a.sourceName() : tokens.name(a.sourceId()),
        state(a.sourceId(), states), a.node(), a.lastReceived(), a.last5m(), a.lastHour(), a.totalProfiles(),
        a.totalBytes())).toList();
    List<RefusalJson> refusals = stats.refusals(projectId).stream().limit(MAX_REFUSALS).map(r -> {
      IngestStats.Refusal f = r.refusal();
      // A refusal before authorization knows the token's id only: its name as the sources know it.
      String name = f.sourceName() != null ? f.sourceName()
          : f.sourceId() == null ? null
          : sources.containsKey(f.sourceId()) && sources.get(f.sourceId()).sourceName() != null
              ? sources.get(f.sourceId()).sourceName() : tokens.name(f.sourceId());
      return new RefusalJson(f.status(), f.reason(), f.method(), f.sourceId(), name, state(f.sourceId(), states),
          f.clientIp(), f.userAgent(), r.calls(), time(r.lastAt()));
    }).toList();
    List<OtlpNodeJson> otlpNodes = otlp.countsByNode(projectId).stream().map(c -> new OtlpNodeJson(c.node(),
        c.logRecords(), c.metricPoints(), time(Instant.ofEpochMilli(c.lastReceivedMillis())))).toList();
    return new StatsJson(sourceList, new ArrayList<>(nodes.values()), otlpNodes, refusals);
  }

  /** "active" / "deleted" for a token id, null when unknown or for the refusals without a token. */
  private String state(String sourceId, Map<String, String> cache) {
    if (sourceId == null || sourceId.equals("unknown")) {
      return null;
    }
    return cache.computeIfAbsent(sourceId, id -> switch (tokens.state(id)) {
      case ACTIVE -> "active";
      case DELETED -> "deleted";
      case UNKNOWN -> null;
    });
  }

  /**
   * OTLP log records agents exported to the project, newest first: {@code from} (inclusive) to
   * {@code to} (exclusive), RFC 3339, default the last hour; at most {@code limit} (1-1000, default 1000).
   */
  @Get("/v1/projects/{project_id}/otlp/logs")
  @Blocking
  @ProducesJson
  public OtlpLogListJson otlpLogs(ServiceRequestContext ctx, @Param("project_id") String projectIdParam,
      @Param("from") Optional<String> from, @Param("to") Optional<String> to, @Param("limit") Optional<String> limit) {
    UUID projectId = projectId(ctx, projectIdParam);
    Instant end = instant(to, "to");
    Instant start = instant(from, "from");
    if (end == null) {
      end = clock.instant().plusSeconds(1);
    }
    if (start == null) {
      start = end.minusSeconds(3600);
    }
    if (!start.isBefore(end)) {
      throw TollgateException.invalid("from", "from must be before to");
    }
    int n = limit(limit);
    return new OtlpLogListJson(otlp.logs(projectId, nanos(start), nanos(end), Math.min(n, OtlpStore.MAX_ROWS))
        .stream().map(r -> new OtlpLogJson(time(Instant.ofEpochSecond(0, r.timeNanos())), r.node(), r.severityNumber(),
            r.severityText(), r.body(), tree(r.attributes()), tree(r.resource()), r.scope())).toList());
  }

  /** Every OTLP metric agents exported to the project, per node: point count and latest point. */
  @Get("/v1/projects/{project_id}/otlp/metrics")
  @Blocking
  @ProducesJson
  public OtlpMetricListJson otlpMetrics(ServiceRequestContext ctx, @Param("project_id") String projectIdParam) {
    UUID projectId = projectId(ctx, projectIdParam);
    return new OtlpMetricListJson(otlp.metrics(projectId).stream().map(m -> new OtlpMetricJson(m.name(), m.unit(),
        m.type(), m.node(), m.points(), time(Instant.ofEpochSecond(0, m.lastTimeNanos())), m.lastValue())).toList());
  }

  private static long nanos(Instant t) {
    return Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L) + t.getNano();
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
    try {
      return TREE.readTree(json);
    } catch (java.io.IOException e) {
      return TREE.getNodeFactory().textNode(json); // cut to the size limit: shown as text
    }
  }

  /** One node that sent a source's stored profiles. */
  public record SourceNodeJson(String sourceId, String node, long profiles, String lastReceived) {}

  public record SourceNodeListJson(List<SourceNodeJson> sourceNodes) {}

  /** Which nodes sent with which token: for the migration page (which legacy token does which node still use). */
  @Get("/v1/projects/{project_id}/ingest/source-nodes")
  @Blocking
  @ProducesJson
  public SourceNodeListJson sourceNodes(ServiceRequestContext ctx, @Param("project_id") String projectIdParam) {
    UUID projectId = projectId(ctx, projectIdParam);
    return new SourceNodeListJson(store.sourceNodes(projectId).stream().map(n -> new SourceNodeJson(n.sourceId(),
        n.node(), n.profiles(), time(n.lastReceived()))).toList());
  }

  @Get("/v1/projects/{project_id}/series")
  @Blocking
  @ProducesJson
  public SeriesListJson series(ServiceRequestContext ctx, @Param("project_id") String projectIdParam) {
    UUID projectId = projectId(ctx, projectIdParam);
    return new SeriesListJson(store.series(projectId).stream().map(s -> new SeriesJson(s.id(), s.labels(),
        s.profileTypes(), time(s.firstSeen()), time(s.lastSeen()), s.count())).toList());
  }

  @Get("/v1/projects/{project_id}/profiles")
  @Blocking
  @ProducesJson
  public ProfileListJson profiles(ServiceRequestContext ctx, @Param("project_id") String projectIdParam,
      @Param("seriesId") Optional<String> seriesId, @Param("from") Optional<String> from,
      @Param("to") Optional<String> to, @Param("limit") Optional<String> limitParam) {
    UUID projectId = projectId(ctx, projectIdParam);
    String series = seriesId.filter(s -> !s.isEmpty())
        .orElseThrow(() -> TollgateException.invalid("seriesId", "seriesId is required"));
    if (!SERIES_ID.matcher(series).matches()) {
      throw TollgateException.invalid("seriesId", "seriesId must be 32 lower-case hex digits");
    }
    Instant f = instant(from, "from");
    Instant t = instant(to, "to");
    if (f != null && t != null && !f.isBefore(t)) {
      throw TollgateException.invalid("to", "to must be after from");
    }
    int limit = limit(limitParam);
    List<StoredProfile> list = store.profiles(projectId, series, f, t, limit + 1);
    boolean truncated = list.size() > limit;
    if (truncated) {
      list = list.subList(1, list.size()); // the oldest one only told that there are more
    }
    return new ProfileListJson(list.stream().map(p -> new ProfileJson(p.id(), p.seriesId(), p.labels(),
        p.profileTypes(), p.kind().name().toLowerCase(java.util.Locale.ROOT), time(p.receivedAt()),
        p.sampleTime() == null ? null : time(p.sampleTime()), p.sampleEnd() == null ? null : time(p.sampleEnd()),
        p.size(), p.sourceId(), p.sourceName(), p.node()))
        .toList(), truncated);
  }

  /** A stored profile: its blob from this node, or the answer of the peer holding it (the same route there). */
  private record Located(StoredBlob blob, HttpResponse fromPeer) {}

  /** Checks the ids and finds the profile here or on the node that stored it; 404 when neither has it. */
  private Located locate(ServiceRequestContext ctx, String projectIdParam, String profileId) {
    UUID projectId = projectId(ctx, projectIdParam);
    try {
      UUID.fromString(profileId);
    } catch (IllegalArgumentException e) {
      throw TollgateException.invalid("profile_id", "profile_id must be a UUID");
    }
    Optional<StoredBlob> found = store.read(projectId, profileId);
    if (found.isEmpty()) {
      Optional<String> holder = PeerDownloads.forwarded(ctx) ? Optional.empty()
          : store.storedElsewhere(projectId, profileId);
      if (holder.isPresent()) {
        return new Located(null, peers.fetch(ctx, holder.get(), profileId));
      }
      throw TollgateException.notFound("profile " + profileId);
    }
    return new Located(found.get(), null);
  }

  @Get("/v1/projects/{project_id}/profiles/{profile_id}/raw")
  @Blocking
  public HttpResponse raw(ServiceRequestContext ctx, @Param("project_id") String projectIdParam,
      @Param("profile_id") String profileId) {
    Located found = locate(ctx, projectIdParam, profileId);
    if (found.fromPeer() != null) {
      return found.fromPeer();
    }
    StoredBlob blob = found.blob();
    ResponseHeaders headers = ResponseHeaders.builder(200)
        .contentType(blob.kind() == BlobKind.ARROW ? MediaType.parse("application/vnd.apache.arrow.stream")
            : MediaType.OCTET_STREAM)
        .set(HttpHeaderNames.CONTENT_DISPOSITION,
            // profileId was checked to be a UUID, so it needs no quoting
            "attachment; filename=\"" + profileId + extension(blob.kind()) + "\"")
        .build();
    return HttpResponse.of(headers, HttpData.wrap(blob.bytes()));
  }

  /**
   * The profile as a WriteRaw request that sends it again: a protobuf
   * {@code parca.profilestore.v1alpha1.WriteRawRequest} with one series (the profile's labels) and
   * one sample whose {@code raw_profile} is the stored bytes, byte for byte, with the
   * {@code normalized} and {@code executable_info} it arrived with. Only for WriteRaw profiles
   * (others: 400 naming the kind).
   */
  @Get("/v1/projects/{project_id}/profiles/{profile_id}/writeraw")
  @Blocking
  public HttpResponse writeRaw(ServiceRequestContext ctx, @Param("project_id") String projectIdParam,
      @Param("profile_id") String profileId) {
    Located found = locate(ctx, projectIdParam, profileId);
    if (found.fromPeer() != null) {
      return found.fromPeer();
    }
    StoredBlob blob = found.blob();
    if (blob.kind() != BlobKind.PPROF) {
      throw TollgateException.invalid("profile_id", "profile " + profileId + " is a "
          + blob.kind().name().toLowerCase(java.util.Locale.ROOT) + " profile, not a WriteRaw one; download it from /raw");
    }
    ResponseHeaders headers = ResponseHeaders.builder(200)
        .contentType(MediaType.parse("application/x-protobuf; messageType=parca.profilestore.v1alpha1.WriteRawRequest"))
        .set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + profileId + ".writeraw.pb\"")
        .build();
    return HttpResponse.of(headers, HttpData.wrap(WriteRawDecoder.replay(blob).toByteArray()));
  }

  private static int limit(Optional<String> value) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return MAX_PROFILES;
    }
    try {
      int n = Integer.parseInt(value.get());
      if (n >= 1 && n <= MAX_PROFILES) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw TollgateException.invalid("limit", "limit must be 1-" + MAX_PROFILES);
  }

  private static String extension(BlobKind kind) {
    return switch (kind) {
      case PPROF -> ".pb.gz";
      case ARROW -> ".arrows";
      case WRITE_V1 -> ".write-v1";
    };
  }

  private UUID projectId(ServiceRequestContext ctx, String value) {
    UUID id;
    try {
      id = UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw TollgateException.invalid("project_id", "project_id must be a UUID");
    }
    access.requireRead(ctx, id);
    return id;
  }

  private static Instant instant(Optional<String> value, String field) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.get()).toInstant();
    } catch (DateTimeParseException e) {
      throw TollgateException.invalid(field, field + " must be an RFC 3339 timestamp such as 2025-01-02T15:04:05Z");
    }
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  private static WindowJson zero() {
    return new WindowJson(0, 0, 0, 0);
  }

  private static WindowJson window(IngestStats.Window w) {
    return new WindowJson(w.calls(), w.bytes(), w.series(), w.refusals());
  }
}
