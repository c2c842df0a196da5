package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import dev.tollgate.db.Database;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.objectstore.ObjectStore;
import dev.tollgate.objectstore.ObjectStoreException;
import dev.tollgate.objectstore.ObjectStoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable, per-project profile storage. Blobs are framed (length + CRC32C) into append-only segment
 * files under {@code <dir>/<project-id>/} and indexed in the {@code profiles} table. A write is
 * acknowledged only after its frame is fsynced and its index rows are committed; concurrent writes
 * share one fsync. Opening the store recovers every segment (see {@link SegmentRecovery}).
 */
public final class ProfileStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProfileStore.class);

  private final Path root;
  private final ProfileIndex index;
  private final InstantSource clock;
  private final Duration retention;
  private final Duration retryWindow;
  /**
   * How long after a blob was stored a blob of the same content counts as a retry of its call, not
   * as a new profile, by default: agents retry for about a minute (10 tries, exponential backoff),
   * other clients within their deadline; a profile's own sample times make a later equal blob unlikely.
   */
  public static final Duration DEFAULT_RETRY_WINDOW = Duration.ofMinutes(15);
  private final SegmentWriter writer;
  /** Null without object storage. */
  private final ObjectStore objectStore;
  private final SegmentObjects objects;
  private final SegmentUploader uploader;
  private final java.util.concurrent.ScheduledExecutorService sealer;

  /**
   * Recovers existing segments, then starts the writer thread.
   *
   * @param root the {@code profiles} directory (created when missing)
   * @param nodeId the id of the data directory {@code root} is in (see {@link dev.tollgate.cluster.NodeId})
   * @param retention whole segments whose newest data is older than this are deleted by {@link #enforceRetention()}
   * @param segmentMaxBytes a segment rolls over before a frame would take it past this size
   * @param segmentMaxAge a segment rolls over once it is this old
   */
  public ProfileStore(Database db, Path root, String nodeId, InstantSource clock, Duration retention,
      long segmentMaxBytes, Duration segmentMaxAge) {
    this(db, root, nodeId, clock, retention, segmentMaxBytes, segmentMaxAge, null);
  }

  /**
   * As above; with {@code objectStore} (null: none) the local segments are a write-ahead buffer:
   * sealed by the object store's size and age (which replace {@code segmentMaxBytes} and
   * {@code segmentMaxAge}), uploaded, and then read from the object by any server. Segments a
   * previous run did not upload are uploaded now.
   */
  public ProfileStore(Database db, Path root, String nodeId, InstantSource clock, Duration retention,
      long segmentMaxBytes, Duration segmentMaxAge, ObjectStore objectStore) {
    this(db, root, nodeId, clock, retention, segmentMaxBytes, segmentMaxAge, objectStore,
        DEFAULT_RETRY_WINDOW);
  }

  /**
   * As above; a blob of the same content as one stored less than {@code retryWindow} ago is a
   * retry of its call: answered with the stored ids, not stored again ({@link Duration#ZERO}: never).
   */
  public ProfileStore(Database db, Path root, String nodeId, InstantSource clock, Duration retention,
      long segmentMaxBytes, Duration segmentMaxAge, ObjectStore objectStore, Duration retryWindow) {
    this.retryWindow = requireNonNull(retryWindow, "retryWindow");
    this.root = requireNonNull(root, "root");
    this.index = new ProfileIndex(requireNonNull(db, "db").jdbi(), requireNonNull(nodeId, "nodeId"));
    this.clock = requireNonNull(clock, "clock");
    this.retention = requireNonNull(retention, "retention");
    this.objectStore = objectStore;
    this.objects = objectStore == null ? null : new SegmentObjects(db.jdbi());
    List<Path> notUploaded;
    try {
      dev.tollgate.files.PrivateFiles.createDirectories(root);
      notUploaded = recover();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the profile store in " + root, e);
    }
    if (objectStore == null) {
      this.uploader = null;
      this.sealer = null;
      this.writer = new SegmentWriter(root, index, clock, segmentMaxBytes, requireNonNull(segmentMaxAge, "segmentMaxAge"),
          null, null, false, retryWindow);
      return;
    }
    ObjectStoreSettings os = objectStore.settings();
    this.uploader = new SegmentUploader(objectStore, objects, nodeId, clock);
    notUploaded.forEach(uploader::submit);
    if (!notUploaded.isEmpty()) {
      log.info("uploading {} segments a previous run had not uploaded", notUploaded.size());
    }
    this.writer = new SegmentWriter(root, index, clock, os.sealBytes(), os.sealAge(), uploader, objects,
        os.ackAfterUpload(), retryWindow);
    // An idle segment is sealed by age too, so what arrived reaches object storage within about the seal age.
    long period = Math.max(100, Math.min(1000, os.sealAge().toMillis() / 4));
    this.sealer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("tollgate-segment-sealer").daemon(true).factory());
    sealer.scheduleWithFixedDelay(() -> {
      try {
        writer.call(writer::sealIdle).join();
      } catch (RuntimeException e) {
        log.debug("sealing idle segments skipped: {}", e.getMessage());
      }
    }, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Recovers every local segment; returns those (all sealed now) that object storage does not have yet. */
  private List<Path> recover() throws IOException {
    List<Path> notUploaded = new ArrayList<>();
    List<String> projects = new ArrayList<>(index.projects());
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(n -> !projects.contains(n))
          .forEach(projects::add);
    }
    for (String project : projects) {
      Path dir = root.resolve(project);
      List<Segment> segments = Files.isDirectory(dir) ? segments(dir) : List.of();
      List<String> uploaded = objects == null ? List.of() : objects.segments(project, index.nodeId());
      List<String> kept = new ArrayList<>(uploaded);
      segments.stream().map(Segment::name).forEach(kept::add);
      int orphans = index.deleteSegmentsOtherThan(project, kept);
      if (orphans > 0) {
        log.warn("project {}: dropped {} index rows whose segment file is gone", project, orphans);
      }
      for (Segment s : segments) {
        if (uploaded.contains(s.name())) {
          Files.deleteIfExists(s.path); // uploaded and recorded before a crash: the object is the copy
          continue;
        }
        SegmentRecovery.recover(index, project, s.path);
        if (objects != null) {
          notUploaded.add(s.path);
        }
      }
    }
    return notUploaded;
  }

  /** The segments in a project directory, oldest first. */
  static List<Segment> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(Segment::ofExisting).flatMap(Optional::stream)
          .sorted(Comparator.comparingLong(s -> s.sequence)).toList();
    }
  }

  /**
   * Stores the blobs of one call. The future completes with one profile id per blob entry, in order,
   * once everything is fsynced and indexed; or exceptionally, with {@link StorageFailedException}
   * when the batch could not be made durable (it was rolled back: nothing kept) or with
   * {@link java.util.concurrent.RejectedExecutionException} when the store is closing.
   */
  public CompletableFuture<List<String>> append(UUID projectId, Source source, List<NewBlob> blobs) {
    requireNonNull(projectId, "projectId");
    requireNonNull(source, "source");
    if (uploader != null && !objectStore.settings().ackAfterUpload()
        && uploader.backlogBytes() > objectStore.settings().maxBacklogBytes()) {
      // Object storage is behind (or down): bound what a lost disk could take with it.
      return CompletableFuture.failedFuture(new StorageFailedException(new dev.tollgate.objectstore.ObjectStoreException(
          "object storage is behind by " + uploader.backlogBytes() + " bytes (--object-store-max-backlog)", null)));
    }
    return writer.append(projectId, source, List.copyOf(blobs)).exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      return CompletableFuture.failedFuture(cause instanceof java.util.concurrent.RejectedExecutionException
          ? cause : new StorageFailedException(cause));
    });
  }

  /**
   * The stored bytes of a profile, exactly as received, or empty when unknown, expired meanwhile,
   * or held by another node ({@link #storedElsewhere}).
   */
  public Optional<StoredBlob> read(UUID projectId, String profileId) {
    Optional<ProfileIndex.Location> loc = index.find(projectId, profileId);
    if (loc.isEmpty()) {
      return Optional.empty();
    }
    ProfileIndex.Location l = loc.get();
    if (l.objectKey() != null && objectStore != null) {
      return readObject(l, profileId);
    }
    if (l.storedBy() != null && !l.storedBy().equals(index.nodeId())) {
      return Optional.empty(); // a segment of the same name here would be this node's own, not that one
    }
    Path file = root.resolve(projectId.toString()).resolve(l.segment());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer frame = ByteBuffer.allocate(Math.toIntExact(l.length()));
      while (frame.hasRemaining()) {
        if (ch.read(frame, l.offset() + frame.position()) < 0) {
          throw new IOException("segment " + file + " ends inside frame at " + l.offset());
        }
      }
      frame.flip();
      return Optional.of(blob(frame, l, profileId, file.toString()));
    } catch (NoSuchFileException e) {
      if (objectStore != null) {
        // Uploaded just now (the uploader records the object, then deletes the file): look again.
        return index.find(projectId, profileId).filter(again -> again.objectKey() != null)
            .flatMap(again -> readObject(again, profileId));
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The profile's frame read from its segment's object by range (cached). */
  private Optional<StoredBlob> readObject(ProfileIndex.Location l, String profileId) {
    byte[] bytes;
    try {
      bytes = objectStore.readRange(l.objectKey(), l.offset(), Math.toIntExact(l.length()));
    } catch (ObjectStore.MissingObjectException e) {
      return Optional.empty(); // retention deleted it meanwhile
    } catch (ObjectStoreException e) {
      // Stored, but where this server cannot reach now: 503 / UNAVAILABLE, which clients retry.
      log.warn("reading profile {} from object storage failed: {}", profileId, e.getMessage());
      throw TollgateException.unavailable("profile " + profileId
          + " is in object storage, which cannot be reached right now; retry");
    }
    try {
      return Optional.of(blob(ByteBuffer.wrap(bytes), l, profileId, "object " + l.objectKey()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static StoredBlob blob(ByteBuffer frame, ProfileIndex.Location l, String profileId, String where)
      throws IOException {
    byte[] payload = new byte[frame.remaining() - Frames.PREFIX];
    frame.get(Frames.PREFIX, payload);
    if (Frames.payloadLength(frame) != payload.length || !Frames.checksumMatches(frame, payload)) {
      throw new IOException("frame at " + l.offset() + " of " + where + " fails its checksum");
    }
    FrameHeader header = Frames.header(payload);
    java.util.SortedMap<String, String> labels = header.entries().stream().filter(e -> e.id().equals(profileId))
        .findFirst().map(FrameHeader.Entry::labels).orElse(java.util.Collections.emptySortedMap());
    return new StoredBlob(l.kind(), Frames.blob(payload), labels, header.rawSample());
  }

  /**
   * The node holding a profile that is indexed but not in this node's data directory (another
   * server sharing the database stored it), or empty.
   */
  public Optional<String> storedElsewhere(UUID projectId, String profileId) {
    return index.find(projectId, profileId)
        .filter(l -> l.objectKey() == null || objectStore == null) // an uploaded one is read from its object
        .map(ProfileIndex.Location::storedBy)
        .filter(node -> !node.equals(index.nodeId()));
  }

  /** The label sets that received data, with their profile types and time range. */
  public List<SeriesSummary> series(UUID projectId) {
    return index.series(projectId);
  }

  /** The newest {@code limit} profiles of a series received in [from, to) (either may be null), oldest first. */
  public List<StoredProfile> profiles(UUID projectId, String seriesId, Instant from, Instant to, int limit) {
    return index.profiles(projectId, seriesId, from, to, limit);
  }

  /** The nodes that sent each source's stored profiles (a scan of the project's profiles). */
  public List<SourceNode> sourceNodes(UUID projectId) {
    return index.sourceNodes(projectId);
  }

  /** Durable totals per source (token). */
  public List<Totals> totalsBySource(UUID projectId) {
    return index.totals(projectId, true);
  }

  /** Durable totals per {@code node} label value. */
  public List<Totals> totalsByNode(UUID projectId) {
    return index.totals(projectId, false);
  }

  /**
   * Deletes whole segments whose newest data is older than the retention, index rows first.
   * Runs on the writer thread so it never races an append. Returns how many segments went.
   */
  public int enforceRetention() {
    return writer.call(this::deleteExpired).join();
  }

  private int deleteExpired() {
    long cutoff = clock.millis() - retention.toMillis();
    int deleted = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        String project = dir.getFileName().toString();
        List<Segment> segs = segments(dir);
        for (int i = 0; i < segs.size(); i++) {
          Segment s = segs.get(i);
          long end = i + 1 < segs.size()
              ? segs.get(i + 1).createdMillis
              : index.lastReceived(project, s.name()).orElse(s.createdMillis);
          if (end >= cutoff) {
            continue;
          }
          if (writer.isActive(project, s)) {
            writer.retire(project);
          }
          index.deleteSegment(project, s.name());
          Files.deleteIfExists(s.path);
          deleted++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (objects != null) {
      deleted += deleteExpiredObjects(cutoff);
    }
    index.deleteDigestsBefore(clock.millis() - retryWindow.toMillis());
    if (deleted > 0) {
      log.info("retention: deleted {} segments older than {}", deleted, retention);
    }
    return deleted;
  }

  /**
   * Uploaded segments of any node past the retention: whichever server's transaction takes the
   * row deletes the object, so a node that is gone for good leaves nothing behind either.
   */
  private int deleteExpiredObjects(long cutoff) {
    int n = 0;
    for (SegmentObjects.Uploaded u : objects.expired(cutoff)) {
      if (objects.deleteExpired(u)) {
        try {
          objectStore.delete(u.objectKey());
        } catch (dev.tollgate.objectstore.ObjectStoreException e) {
          log.warn("retention: object {} is no longer indexed but could not be deleted: {}", u.objectKey(),
              e.getMessage());
        }
        n++;
      }
    }
    return n;
  }

  /** Blobs not stored again because the same content already was: retries of calls whose answer was lost. */
  public long retriesRecognized() {
    return writer.retriesRecognized();
  }

  /** Segment fsyncs so far (group commit: concurrent appends share one). */
  long fsyncs() {
    return writer.fsyncs();
  }

  /** Sealed segments waiting for upload, in bytes (0 without object storage). */
  public long uploadBacklogBytes() {
    return uploader == null ? 0 : uploader.backlogBytes();
  }

  /**
   * Commits what is queued, fsyncs and closes the segments. With object storage, what was not
   * uploaded yet stays on local disk and is uploaded on the next start.
   */
  @Override
  public void close() {
    if (sealer != null) {
      sealer.shutdownNow();
    }
    writer.close();
    if (uploader != null) {
      uploader.close();
    }
  }

}
