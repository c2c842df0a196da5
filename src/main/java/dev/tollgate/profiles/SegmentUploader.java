package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import dev.tollgate.objectstore.ObjectStore;
import dev.tollgate.objectstore.ObjectStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads sealed segments of this node, oldest first, one at a time, retrying with backoff while
 * object storage is unreachable. An upload is a conditional put; then the {@code profile_objects}
 * row makes every reader use the object; only then is the local file deleted. A put refused with
 * 412 is this node's own earlier upload (a crash before the row was written) when the object
 * holds the same bytes; anything else is a conflict, logged, and the file is kept.
 */
final class SegmentUploader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentUploader.class);
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final ObjectStore store;
  private final SegmentObjects objects;
  private final String nodeId;
  private final InstantSource clock;
  private final LinkedBlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
  private final AtomicLong backlogBytes = new AtomicLong();
  private final AtomicLong uploaded = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  SegmentUploader(ObjectStore store, SegmentObjects objects, String nodeId, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.objects = requireNonNull(objects, "objects");
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.clock = requireNonNull(clock, "clock");
    this.thread = Thread.ofPlatform().name("tollgate-segment-uploader").daemon(true).start(this::run);
  }

  /** The object key of a node's segment: node id and segment name make it unique per data directory. */
  static String objectKey(ObjectStore store, String projectId, String nodeId, String segment) {
    return store.key("profiles/" + projectId + "/" + nodeId + "/" + segment);
  }

  /** Queues a sealed (complete, fsynced, indexed) segment file of {@code <root>/<project>/}. */
  void submit(Path segmentFile) {
    long size;
    try {
      size = Files.size(segmentFile);
    } catch (IOException e) {
      return; // gone already (retention)
    }
    backlogBytes.addAndGet(size);
    queue.add(new Pending(segmentFile, size));
  }

  /** A queued segment and the size it was counted in the backlog with. */
  private record Pending(Path file, long size) {}

  /** Bytes of sealed segments waiting for upload. */
  long backlogBytes() {
    return backlogBytes.get();
  }

  /** Segments uploaded by this uploader so far. */
  long uploaded() {
    return uploaded.get();
  }

  /**
   * Puts one segment file into object storage now and returns its key; failures are {@link ObjectStoreException}s and
   * a conflict is a {@link ConflictException}. Does not record the object (the caller does).
   */
  String put(String projectId, Path file) throws IOException {
    String segment = file.getFileName().toString();
    String key = objectKey(store, projectId, nodeId, segment);
    if (!store.putIfAbsent(key, file) && !store.sameContent(key, file)) {
      throw new ConflictException("object " + key + " exists with other content: another server uses node id "
          + nodeId + " (a copied data directory?); segment " + file + " stays on local disk");
    }
    return key;
  }

  private void run() {
    long backoff = 500;
    while (!closed) {
      Pending next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      Path file = next.file();
      try {
        upload(file);
        release(next);
        backoff = 500;
      } catch (ConflictException e) {
        log.error("{}", e.getMessage());
        release(next);
      } catch (ObjectStoreException | UncheckedIOException | IOException | org.jdbi.v3.core.JdbiException e) {
        log.warn("uploading segment {} failed; retrying in {} ms: {}", file, backoff, e.getMessage());
        queue.addFirst(next);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private void upload(Path file) throws IOException {
    String projectId = file.getParent().getFileName().toString();
    String segment = file.getFileName().toString();
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return; // retention deleted it meanwhile
    }
    if (!objects.exists(projectId, nodeId, segment)) {
      String key;
      try {
        key = put(projectId, file);
      } catch (NoSuchFileException e) {
        return; // retention deleted it meanwhile
      }
      objects.insert(projectId, nodeId, segment, key, size, clock.millis());
      log.debug("uploaded segment {}/{} ({} bytes) to {}", projectId, segment, size, key);
    }
    Files.deleteIfExists(file); // readers now go to the object
    uploaded.incrementAndGet();
  }

  private void release(Pending p) {
    backlogBytes.addAndGet(-p.size());
  }

  /** The object of a segment's key exists and holds other bytes: never overwritten. */
  static final class ConflictException extends RuntimeException {
    ConflictException(String message) {
      super(message, null, false, false);
    }
  }

  /** Stops after the upload in progress; what is still queued is uploaded on the next start. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
