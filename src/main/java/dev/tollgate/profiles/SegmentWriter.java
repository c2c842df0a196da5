package dev.tollgate.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that appends to segments. Callers enqueue; the thread takes everything queued,
 * writes it, fsyncs each touched file once, indexes all rows in one transaction and only then
 * completes the callers' futures. Concurrent writers so share one fsync (group commit), and no
 * lock is needed on segment state because only this thread touches it.
 */
final class SegmentWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);
  private static final int MAX_BATCH = 512;
  /** How long a blob of a stored one's content is a retry; {@link Duration#ZERO}: every blob is stored. */
  private final Duration retryWindow;

  private final Path root;
  private final ProfileIndex index;
  private final InstantSource clock;
  private final long segmentMaxBytes;
  private final Duration segmentMaxAge;
  private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final Map<String, Segment> active = new HashMap<>();
  private final ProfileIds ids = new ProfileIds();
  private final Thread thread;
  /** Null without object storage; else sealed segments go to it. */
  private final SegmentUploader uploader;
  private final SegmentObjects objects;
  /** With object storage: each batch is sealed, uploaded and recorded before its calls are acknowledged. */
  private final boolean ackAfterUpload;
  /** The highest sequence used per project: uploaded segments' files are gone, yet a name must never repeat. */
  private final Map<String, Long> lastSequence = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong retriesRecognized = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  SegmentWriter(Path root, ProfileIndex index, InstantSource clock, long segmentMaxBytes, Duration segmentMaxAge) {
    this(root, index, clock, segmentMaxBytes, segmentMaxAge, null, null, false, ProfileStore.DEFAULT_RETRY_WINDOW);
  }

  /**
   * @param uploader where sealed segments go (null: they stay on local disk)
   * @param ackAfterUpload with an uploader: acknowledge a batch only once its segments are objects
   */
  SegmentWriter(Path root, ProfileIndex index, InstantSource clock, long segmentMaxBytes, Duration segmentMaxAge,
      SegmentUploader uploader, SegmentObjects objects, boolean ackAfterUpload, Duration retryWindow) {
    this.retryWindow = retryWindow;
    this.uploader = uploader;
    this.objects = objects;
    this.ackAfterUpload = uploader != null && ackAfterUpload;
    this.root = root;
    this.index = index;
    this.clock = clock;
    this.segmentMaxBytes = segmentMaxBytes;
    this.segmentMaxAge = segmentMaxAge;
    this.thread = Thread.ofPlatform().name("tollgate-segment-writer").daemon(true).start(this::run);
  }

  /**
   * One blob ready to write: its frame, its index rows (whose location the writer fills in), its
   * content digest and the ids of its entries.
   */
  private record PreparedBlob(ByteBuffer frame, List<IndexRow> rows, String digest, List<String> ids) {}

  /** One caller's blobs; acknowledged together. */
  private static final class Append implements Runnable {
    final String projectId;
    final List<PreparedBlob> blobs;
    final CompletableFuture<List<String>> done = new CompletableFuture<>();
    /** The answer: one profile id per entry, the stored ones' for a blob stored before. */
    final List<String> ids = new ArrayList<>();

    Append(String projectId, List<PreparedBlob> blobs) {
      this.projectId = projectId;
      this.blobs = blobs;
    }

    @Override
    public void run() {
      throw new UnsupportedOperationException("appends are batched by the writer loop");
    }
  }

  /**
   * Encodes the frames and index rows on the caller's thread, so the one writer thread, which
   * every caller waits on, only writes, syncs and indexes. The receive time is taken here.
   */
  CompletableFuture<List<String>> append(UUID projectId, Source source, List<NewBlob> blobs) {
    long now = clock.millis();
    String project = projectId.toString();
    List<PreparedBlob> prepared = new ArrayList<>(blobs.size());
    try {
      for (NewBlob blob : blobs) {
        List<FrameHeader.Entry> entries = new ArrayList<>(blob.entries().size());
        List<String> blobIds = new ArrayList<>(blob.entries().size());
        for (SeriesEntry e : blob.entries()) {
          String id = ids.next(now);
          blobIds.add(id);
          entries.add(new FrameHeader.Entry(id, e.labels(), e.profileTypes(), e.sampleTimeMillis(),
              e.sampleEndMillis()));
        }
        String digest = BlobDigests.of(blob);
        FrameHeader h = new FrameHeader(blob.kind().name(), now, source.id(), source.name(), entries,
            blob.rawSample(), digest);
        List<IndexRow> rows = new ArrayList<>(entries.size());
        for (FrameHeader.Entry e : entries) {
          rows.add(IndexRow.of(project, h, e, null, 0, 0, blob.bytes().length, index.nodeId()));
        }
        prepared.add(new PreparedBlob(Frames.encode(h, blob.bytes()), rows, digest, List.copyOf(blobIds)));
      }
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    Append a = new Append(project, prepared);
    enqueue(a, a.done);
    return a.done;
  }

  /** Runs {@code task} on the writer thread, between batches. */
  <T> CompletableFuture<T> call(Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    enqueue(() -> {
      try {
        f.complete(task.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    }, f);
    return f;
  }

  private void enqueue(Runnable r, CompletableFuture<?> f) {
    if (closed) {
      f.completeExceptionally(new RejectedExecutionException("profile store is closed"));
      return;
    }
    queue.add(r);
  }

  private void run() {
    List<Runnable> batch = new ArrayList<>();
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      List<Append> appends = new ArrayList<>();
      for (Runnable r : batch) {
        if (r instanceof Append a) {
          appends.add(a);
        } else {
          commit(appends);
          appends.clear();
          if (r == STOP) {
            closeSegments();
            failQueued();
            return;
          }
          r.run();
        }
      }
      commit(appends);
      batch.clear();
    }
    closeSegments();
  }

  private static final Runnable STOP = () -> {};

  private void commit(List<Append> appends) {
    if (appends.isEmpty()) {
      return;
    }
    Map<Segment, Long> touched = new LinkedHashMap<>(); // segment -> its size before this batch
    List<IndexRow> rows = new ArrayList<>();
    List<ProfileIndex.DigestRow> digests = new ArrayList<>();
    int retries = 0;
    long now = clock.millis();
    try {
      // A retry of a call whose answer was lost is answered with what its first attempt stored
      // (on any server), and a blob twice in this batch is written once.
      boolean recognizeRetries = !retryWindow.isZero();
      long since = now - retryWindow.toMillis();
      Map<String, Map<String, List<String>>> stored = recognizeRetries ? storedDigests(appends, since) : Map.of();
      for (Append a : appends) {
        a.ids.clear();
        Map<String, List<String>> known = stored.get(a.projectId);
        for (PreparedBlob blob : a.blobs) {
          List<String> earlier = known == null ? null : known.get(blob.digest());
          if (earlier != null) {
            a.ids.addAll(earlier);
            retries++;
            continue;
          }
          if (recognizeRetries) {
            known.put(blob.digest(), blob.ids());
            digests.add(new ProfileIndex.DigestRow(a.projectId, blob.digest(), blob.ids(), now));
          }
          a.ids.addAll(blob.ids());
          Segment seg = activeSegment(a.projectId, now, blob.frame().remaining(), touched);
          touched.putIfAbsent(seg, seg.size());
          long offset = seg.append(blob.frame());
          long length = seg.size() - offset;
          for (IndexRow r : blob.rows()) {
            rows.add(r.at(seg.name(), offset, length));
          }
        }
      }
      for (Segment s : touched.keySet()) {
        s.sync();
        fsyncs.incrementAndGet();
      }
      if (ackAfterUpload) {
        uploadAndIndex(touched.keySet(), rows, digests, now, since);
      } else {
        index.insert(rows, h -> ProfileIndex.insertDigests(h, digests, since));
      }
    } catch (Exception e) {
      log.error("writing a batch of {} calls failed; rolling back", appends.size(), e);
      if (ackAfterUpload) {
        discard(touched.keySet());
      } else {
        rollback(touched);
      }
      for (Append a : appends) {
        a.done.completeExceptionally(e);
      }
      return;
    }
    for (Segment s : touched.keySet()) {
      if (ackAfterUpload) {
        deleteQuietly(s); // in object storage and recorded: the local copy served its purpose
      } else if (active.get(projectOf(s)) != s) {
        closeQuietly(s); // rolled over during this batch; synced above
        sealed(s);
      }
    }
    retriesRecognized.addAndGet(retries);
    for (Append a : appends) {
      a.done.complete(List.copyOf(a.ids));
    }
  }

  /** Per project of the batch, the digests of its blobs already stored, with their profile ids. */
  private Map<String, Map<String, List<String>>> storedDigests(List<Append> appends, long sinceMillis) {
    Map<String, List<String>> byProject = new HashMap<>();
    for (Append a : appends) {
      for (PreparedBlob b : a.blobs) {
        byProject.computeIfAbsent(a.projectId, k -> new ArrayList<>()).add(b.digest());
      }
    }
    Map<String, Map<String, List<String>>> stored = new HashMap<>();
    byProject.forEach((project, digests) -> stored.put(project, index.storedDigests(project, digests, sinceMillis)));
    return stored;
  }

  /** Blobs not stored again because a blob of the same content already was (retried calls). */
  long retriesRecognized() {
    return retriesRecognized.get();
  }

  /**
   * Group commit into object storage: every segment of the batch is sealed and put as one object,
   * then the batch's index rows and the objects' rows are committed in one transaction.
   */
  private void uploadAndIndex(java.util.Set<Segment> segments, List<IndexRow> rows,
      List<ProfileIndex.DigestRow> digests, long now, long since) throws IOException {
    Map<Segment, String> keys = new LinkedHashMap<>();
    for (Segment s : segments) {
      active.remove(projectOf(s), s);
      s.close();
      keys.put(s, uploader.put(projectOf(s), s.path));
    }
    index.insert(rows, h -> {
      keys.forEach((s, key) -> SegmentObjects.insert(h, projectOf(s), index.nodeId(), s.name(), key, s.size(), now));
      ProfileIndex.insertDigests(h, digests, since);
    });
  }

  /** After a failed ack-after-upload batch: its segments held only that batch, so they go whole. */
  private void discard(java.util.Set<Segment> segments) {
    for (Segment s : segments) {
      active.remove(projectOf(s), s);
      deleteQuietly(s);
    }
  }

  private static void deleteQuietly(Segment s) {
    closeQuietly(s);
    try {
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      log.warn("cannot delete segment {}; the next start uploads or drops it", s.path, e);
    }
  }

  /** A segment is complete (synced, indexed, closed): with object storage, it is uploaded. */
  private void sealed(Segment s) {
    if (uploader != null) {
      if (s.size() == 0) {
        deleteQuietly(s);
      } else {
        uploader.submit(s.path);
      }
    }
  }

  /** Seals the active segments older than the maximum age although nothing new arrived. Writer thread only. */
  int sealIdle() {
    long now = clock.millis();
    List<String> old = active.entrySet().stream()
        .filter(e -> now - e.getValue().createdMillis >= segmentMaxAge.toMillis()).map(Map.Entry::getKey).toList();
    for (String project : old) {
      Segment s = active.remove(project);
      closeQuietly(s);
      sealed(s);
    }
    return old.size();
  }

  private void rollback(Map<Segment, Long> touched) {
    touched.forEach((s, size) -> {
      try {
        s.truncate(size);
        s.sync();
      } catch (IOException e) {
        log.error("cannot cut back segment {}; the next start will", s.path, e);
      }
    });
  }

  private String projectOf(Segment s) {
    return s.path.getParent().getFileName().toString();
  }

  private Segment activeSegment(String projectId, long now, int nextFrame, Map<Segment, Long> touched)
      throws IOException {
    Segment s = active.get(projectId);
    if (s != null && (s.size() + nextFrame > segmentMaxBytes && s.size() > 0
        || now - s.createdMillis >= segmentMaxAge.toMillis())) {
      if (!touched.containsKey(s)) {
        s.close();
        sealed(s); // its frames were committed by earlier batches
      }
      active.remove(projectId);
      s = null;
    }
    if (s == null) {
      Path dir = root.resolve(projectId);
      dev.tollgate.files.PrivateFiles.createDirectories(dir);
      s = Segment.create(dir, nextSequence(projectId, dir), now);
      syncDirectory(dir);
      active.put(projectId, s);
    }
    return s;
  }

  private long nextSequence(String projectId, Path dir) throws IOException {
    long max = ProfileStore.segments(dir).stream().mapToLong(s -> s.sequence).max().orElse(0);
    if (objects != null) {
      max = Math.max(max, objects.newestSegment(projectId, index.nodeId()).flatMap(n -> Segment.ofExisting(Path.of(n)))
          .map(seg -> seg.sequence).orElse(0L));
    }
    long next = Math.max(max, lastSequence.getOrDefault(projectId, 0L)) + 1;
    lastSequence.put(projectId, next);
    return next;
  }

  /** Makes a new file's directory entry durable, so a synced segment is also found after a crash. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      log.debug("cannot fsync directory {}", dir, e); // not supported on every platform
    }
  }

  /** Segment fsyncs so far: fewer than appends when concurrent writers share them. */
  long fsyncs() {
    return fsyncs.get();
  }

  /** Whether {@code segment} of {@code projectId} is the one being appended to. Writer thread only. */
  boolean isActive(String projectId, Segment segment) {
    Segment s = active.get(projectId);
    return s != null && s.path.equals(segment.path);
  }

  /** Stops appending to the project's active segment. Writer thread only. */
  void retire(String projectId) {
    Segment s = active.remove(projectId);
    if (s != null) {
      closeQuietly(s);
    }
  }

  /** Appends that raced with {@link #close()} are refused rather than left hanging. */
  private void failQueued() {
    List<Runnable> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (Runnable r : rest) {
      if (r instanceof Append a) {
        a.done.completeExceptionally(new RejectedExecutionException("profile store is closed"));
      }
    }
  }

  private void closeSegments() {
    active.values().forEach(SegmentWriter::closeQuietly);
    active.clear();
  }

  private static void closeQuietly(Segment s) {
    try {
      s.close();
    } catch (IOException e) {
      log.warn("closing segment {} failed", s.path, e);
    }
  }

  /** Commits what is queued, closes the segments and stops the thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(STOP);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
