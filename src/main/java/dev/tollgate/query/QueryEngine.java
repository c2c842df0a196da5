package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.SeriesSummary;
import dev.tollgate.profiles.StoredProfile;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * Finds what a query selects and reads it: the matching series (labels and profile type) of a
 * project from the index summaries, their stored profiles in a time window, and each profile's
 * blob decoded once, on a small pool, streamed in time order into whoever consumes it (a merge,
 * a range of totals). A blob holding many label sets (an agent's request) is read and decoded
 * once for all its selected rows, each row taking its own label set's profile. Blobs of a kind
 * it cannot decode are skipped and reported in {@link Reading#warnings()}.
 */
final class QueryEngine {
  /** Profiles one query may read at most (a day of one series every 10 s is 8 640). */
  static final int MAX_PROFILES = 100_000;

  private final ProfileStore store;
  private final BlobReader reader;
  private final BlobProfiles blobs;
  private final ExecutorService decoders;
  private final int parallelism;
  private final Duration retention;
  private final InstantSource clock;

  /**
   * @param retention what the store keeps: older profiles are never read, whether or not the
   *     retention job (every 10 minutes, whole segments) deleted them yet, so answers do not
   *     depend on its timing
   */
  QueryEngine(ProfileStore store, BlobReader reader, BlobProfiles blobs, ExecutorService decoders, int parallelism,
      Duration retention, InstantSource clock) {
    this.retention = requireNonNull(retention, "retention");
    this.clock = requireNonNull(clock, "clock");
    this.store = requireNonNull(store, "store");
    this.reader = requireNonNull(reader, "reader");
    this.blobs = requireNonNull(blobs, "blobs");
    this.decoders = requireNonNull(decoders, "decoders");
    this.parallelism = parallelism;
  }

  /** A time window, both ends inclusive; either may be null (open). */
  record Window(Instant start, Instant end) {
    Window {
      if (start != null && end != null && end.isBefore(start)) {
        throw new InvalidQueryException("end (" + end + ") is before start (" + start + ")");
      }
    }

    boolean overlaps(SeriesSummary s) {
      return (start == null || !s.lastSeen().isBefore(start)) && (end == null || !s.firstSeen().isAfter(end));
    }

    Instant endExclusive() {
      return end == null ? null : end.plusMillis(1);
    }
  }

  /** One decoded profile of the selection: the stored row, the pprof and the index of the selected sample type. */
  record Selected(StoredProfile stored, Profile profile, int valueIndex) {
    /** Sum of the selected sample type's values. */
    long total() {
      long t = 0;
      for (var s : profile.getSampleList()) {
        t += s.getValue(valueIndex);
      }
      return t;
    }
  }

  /** What a read produced besides the data. */
  static final class Reading {
    final Set<String> warnings = new TreeSet<>();
    int profiles;

    List<String> warnings() {
      return List.copyOf(warnings);
    }
  }

  /** The window without what retention removed (or is about to); null when nothing of it is kept. */
  private Window retained(Window w) {
    Instant cutoff = clock.instant().minus(retention);
    Instant start = w.start() == null || w.start().isBefore(cutoff) ? cutoff : w.start();
    if (w.end() != null && w.end().isBefore(start)) {
      return null;
    }
    return new Window(start, w.end());
  }

  /** The project's series whose labels match and that hold a type the selector accepts, in the window. */
  List<SeriesSummary> series(UUID projectId, List<Selector> selectors, Window asked) {
    Window window = retained(asked);
    List<SeriesSummary> out = new ArrayList<>();
    if (window == null) {
      return out;
    }
    for (SeriesSummary s : store.series(projectId)) {
      if (!window.overlaps(s)) {
        continue;
      }
      for (Selector sel : selectors) {
        if (sel.matchesLabels(s.labels()) && s.profileTypes().stream().anyMatch(sel::matchesType)) {
          out.add(s);
          break;
        }
      }
    }
    return out;
  }

  /** The profile types of the project in the window. */
  Set<String> profileTypes(UUID projectId, Window asked) {
    Window window = retained(asked);
    Set<String> types = new TreeSet<>();
    if (window == null) {
      return types;
    }
    for (SeriesSummary s : store.series(projectId)) {
      if (window.overlaps(s)) {
        types.addAll(s.profileTypes());
      }
    }
    return types;
  }

  /**
   * Streams the selected profiles of {@code type} in the window to {@code sink}, oldest first
   * (by receive time, across series); decoding runs ahead on the pool, the sink runs on the calling thread.
   */
  void read(UUID projectId, Selector selector, Window asked, BlobReader.Credentials credentials, Reading reading,
      Consumer<Selected> sink) {
    String type = requireType(selector);
    Window window = retained(asked);
    if (window == null) {
      return; // entirely before the retention: nothing is kept
    }
    List<StoredProfile> picks = new ArrayList<>();
    for (SeriesSummary s : series(projectId, List.of(selector), asked)) {
      if (!s.profileTypes().contains(type)) {
        continue;
      }
      for (StoredProfile p : store.profiles(projectId, s.id(), window.start(), window.endExclusive(),
          MAX_PROFILES + 1)) {
        if (p.profileTypes().contains(type)) {
          picks.add(p);
        }
      }
      if (picks.size() > MAX_PROFILES) {
        throw new InvalidQueryException("the query selects more than " + MAX_PROFILES
            + " profiles; narrow the time range or the selector");
      }
    }
    // Rows of one blob (an agent's request, one row per label set) have the same receive time:
    // in time order they are neighbours, so the blob is decoded once and dropped right after its
    // last row. Per series the order stays oldest first.
    picks.sort(Comparator.comparing(StoredProfile::receivedAt).thenComparing(StoredProfile::blob,
        Comparator.nullsFirst(Comparator.naturalOrder())));
    Map<String, Integer> rowsLeft = new HashMap<>();
    for (StoredProfile p : picks) {
      rowsLeft.merge(blobKey(p), 1, Integer::sum);
    }
    Set<BlobKind> skipped = EnumSet.noneOf(BlobKind.class);
    Map<String, CompletableFuture<List<BlobProfile>>> decoding = new HashMap<>();
    Deque<Pending> inFlight = new ArrayDeque<>();
    int next = 0;
    try {
      while (next < picks.size() || !inFlight.isEmpty()) {
        // at most 2 x parallelism blobs are decoding or held; rows of a blob already there join it
        while (next < picks.size() && (inFlight.isEmpty() || decoding.size() < parallelism * 2
            || decoding.containsKey(blobKey(picks.get(next))))) {
          StoredProfile p = picks.get(next++);
          if (!blobs.decodes(p.kind())) {
            skipped.add(p.kind());
            continue;
          }
          CompletableFuture<List<BlobProfile>> blob = decoding.computeIfAbsent(blobKey(p),
              k -> CompletableFuture.supplyAsync(() -> decodeBlob(projectId, p, credentials), decoders));
          inFlight.add(new Pending(p, blob));
        }
        if (inFlight.isEmpty()) {
          continue;
        }
        Pending done = inFlight.removeFirst();
        List<BlobProfile> decoded = join(done.blob());
        String key = blobKey(done.row());
        if (rowsLeft.merge(key, -1, Integer::sum) == 0) {
          decoding.remove(key);
        }
        for (Selected sel : select(done.row(), decoded, type)) {
          reading.profiles++;
          sink.accept(sel);
        }
      }
    } finally {
      decoding.values().forEach(f -> f.cancel(true));
    }
    for (BlobKind k : skipped) {
      reading.warnings.add("profiles stored as " + k + " were skipped: this server cannot decode them yet");
    }
  }

  /** A selected row and its blob being decoded (shared by the rows of the blob). */
  private record Pending(StoredProfile row, CompletableFuture<List<BlobProfile>> blob) {}

  /** What identifies a row's stored bytes; a row without that information is its own blob. */
  private static String blobKey(StoredProfile p) {
    return p.blob() != null ? p.blob() : "profile:" + p.id();
  }

  static String requireType(Selector selector) {
    if (selector.profileType() == null) {
      throw new InvalidQueryException("1:1: the query must start with a profile type"
          + " (name:sample_type:sample_unit:period_type:period_unit[:delta]), e.g. "
          + "process_cpu:samples:count:cpu:nanoseconds:delta{job=\"demo\"}");
    }
    return selector.profileType().toString();
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private List<BlobProfile> decodeBlob(UUID projectId, StoredProfile p, BlobReader.Credentials credentials) {
    Optional<byte[]> bytes = reader.read(projectId, p.id(), credentials);
    if (bytes.isEmpty()) {
      return List.of(); // expired (retention) since the index was read
    }
    return blobs.of(projectId, p.kind(), bytes.get());
  }

  /** The row's own profiles of the blob: its label set (when the blob has several) and the queried type. */
  private static List<Selected> select(StoredProfile p, List<BlobProfile> decoded, String type) {
    List<Selected> out = new ArrayList<>(1);
    for (BlobProfile b : decoded) {
      if (b.labels() != null && !b.labels().equals(p.labels())) {
        continue;
      }
      if (b.profileType() != null && !b.profileType().equals(type)) {
        continue;
      }
      int index = valueIndex(b.profile(), p.labels().get("__name__"), type);
      if (index >= 0) {
        out.add(new Selected(p, b.profile(), index));
      }
    }
    return out;
  }

  /** The sample type of {@code p} that is {@code type} under ingestion's naming; -1 when none. */
  static int valueIndex(Profile p, String name, String type) {
    ProfileTypeName t = ProfileTypeName.parseOrNull(type);
    if (t == null) {
      return -1;
    }
    List<String> st = p.getStringTableList();
    ValueType period = p.getPeriodType();
    boolean delta = p.getDurationNanos() != 0;
    if (!t.name().equals(name) && name != null) {
      return -1;
    }
    if (!str(st, period.getType()).equals(t.periodType()) || !str(st, period.getUnit()).equals(t.periodUnit())
        || delta != t.delta()) {
      // a decoder that produced one profile per type may not carry the period: fall back to the sample type
      if (p.getSampleTypeCount() != 1) {
        return -1;
      }
    }
    for (int i = 0; i < p.getSampleTypeCount(); i++) {
      ValueType vt = p.getSampleType(i);
      if (str(st, vt.getType()).equals(t.sampleType()) && str(st, vt.getUnit()).equals(t.sampleUnit())) {
        return i;
      }
    }
    return -1;
  }

  private static String str(List<String> st, long i) {
    return i >= 0 && i < st.size() ? st.get((int) i) : "";
  }

  /** Labels of a series without {@code __name__} (part of the profile type). */
  static SortedMap<String, String> visibleLabels(Map<String, String> labels) {
    SortedMap<String, String> out = new TreeMap<>(labels);
    out.remove("__name__");
    return out;
  }
}
