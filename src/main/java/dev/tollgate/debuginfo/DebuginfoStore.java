package dev.tollgate.debuginfo;

import static java.util.Objects.requireNonNull;

import dev.tollgate.db.Database;
import dev.tollgate.debuginfo.DebuginfoException.Reason;
import dev.tollgate.objectstore.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parca's debug-info upload state machine, per project: ShouldInitiateUpload, InitiateUpload,
 * Upload, MarkUploadFinished. States live in {@code debuginfo_uploads}; bytes under
 * {@code <root>/<project-id>/<sha256(build id)>/} (hashed because Go build ids contain {@code /}).
 */
public final class DebuginfoStore {
  private static final Logger log = LoggerFactory.getLogger(DebuginfoStore.class);

  /** Agents compare this byte for byte and retry in five minutes; any other "no" means done. */
  public static final String REASON_IN_PROGRESS =
      "A previous upload is still in-progress and not stale yet (only stale uploads can be retried).";
  public static final String REASON_FIRST_TIME =
      "First time we see this Build ID, and it does not exist in debuginfod, therefore please upload!";
  public static final String REASON_STALE =
      "A previous upload was started but not finished and is now stale, so it can be retried.";
  public static final String REASON_EXISTS =
      "Debuginfo already exists and is not marked as invalid, therefore no new upload is needed.";
  public static final String REASON_EXISTS_FORCED =
      "Debuginfo already exists and is not marked as invalid, therefore wouldn't have accepted a new upload, but"
          + " accepting it because it's requested to be forced.";
  public static final String REASON_EQUAL =
      "Debuginfo already exists and the hash is equal, therefore no new upload is needed.";

  /** Parca's maximum upload duration: how long an Upload stream may take. */
  public static final Duration MAX_UPLOAD_DURATION = Duration.ofMinutes(15);

  /** Parca's maximum upload duration plus its grace period: an upload older than this may be retried. */
  public static final Duration STALE_AFTER = MAX_UPLOAD_DURATION.plusMinutes(2);

  private final UploadIndex index;
  private final Path root;
  private final InstantSource clock;
  private final long maxSize;
  /** Keeps replacing an upload, finishing one and sweeping one apart within this server (not a pinning monitor). */
  private final ReentrantLock finishing = new ReentrantLock();

  /** Null: debug info stays in {@code root} only. */
  private final ObjectStore objectStore;

  /** @param maxSize the largest upload accepted, in bytes */
  public DebuginfoStore(Database db, Path root, InstantSource clock, long maxSize) {
    this(db, root, clock, maxSize, null);
  }

  /**
   * With {@code objectStore}, a finished upload is put into object storage before it is marked
   * finished, and any server reads it from there (keeping a local copy named after the upload).
   */
  public DebuginfoStore(Database db, Path root, InstantSource clock, long maxSize, ObjectStore objectStore) {
    this.objectStore = objectStore;
    this.index = new UploadIndex(requireNonNull(db, "db").jdbi());
    this.root = requireNonNull(root, "root");
    this.clock = requireNonNull(clock, "clock");
    if (maxSize <= 0) {
      throw new IllegalArgumentException("maxSize must be positive: " + maxSize);
    }
    this.maxSize = maxSize;
  }

  /** The answer to ShouldInitiateUpload. */
  public record Decision(boolean shouldUpload, String reason) {}

  public Decision shouldInitiateUpload(UUID projectId, String buildId, int type, String hash, boolean force) {
    validateBuildId(buildId);
    validateType(type);
    Optional<UploadRecord> existing = index.find(projectId.toString(), buildId, type);
    if (existing.isEmpty()) {
      return new Decision(true, REASON_FIRST_TIME);
    }
    UploadRecord r = existing.get();
    if (r.state().equals(UploadRecord.UPLOADING)) {
      return isStale(r) ? new Decision(true, REASON_STALE) : new Decision(false, REASON_IN_PROGRESS);
    }
    if (force) {
      return new Decision(true, REASON_EXISTS_FORCED);
    }
    if (!hash.isEmpty() && hash.equals(r.hash())) {
      return new Decision(false, REASON_EQUAL);
    }
    return new Decision(false, REASON_EXISTS);
  }

  /** Starts an upload and returns its id. */
  public String initiateUpload(UUID projectId, String buildId, int type, String hash, long size, boolean force,
      String sourceId) {
    validateBuildId(buildId);
    validateType(type);
    if (hash == null || hash.isEmpty()) {
      throw new DebuginfoException(Reason.INVALID, "hash must be set");
    }
    if (size <= 0) {
      throw new DebuginfoException(Reason.INVALID, "size must be set");
    }
    Decision d = shouldInitiateUpload(projectId, buildId, type, hash, force);
    if (!d.shouldUpload()) {
      if (d.reason().equals(REASON_EQUAL)) {
        throw new DebuginfoException(Reason.ALREADY_EXISTS, REASON_EQUAL);
      }
      throw new DebuginfoException(Reason.PRECONDITION,
          "upload should not have been attempted to be initiated, a previous check should have failed with: "
              + d.reason());
    }
    if (size > maxSize) {
      throw new DebuginfoException(Reason.INVALID,
          "upload size " + size + " exceeds maximum allowed size " + maxSize);
    }
    String uploadId = UUID.randomUUID().toString();
    UploadRecord r = new UploadRecord(projectId.toString(), buildId, type, UploadRecord.UPLOADING, uploadId, hash,
        size, null, clock.millis(), null, sourceId);
    boolean won;
    Optional<UploadRecord> previous;
    finishing.lock();
    try {
      previous = index.find(projectId.toString(), buildId, type);
      won = previous.isEmpty() ? index.insert(r) : index.restart(r, previous.get().uploadId());
    } finally {
      finishing.unlock();
    }
    if (!won) {
      throw new DebuginfoException(Reason.PRECONDITION, REASON_IN_PROGRESS);
    }
    previous.ifPresent(p -> deleteUploadFiles(dir(projectId, buildId), type, p.uploadId()));
    return uploadId;
  }

  /**
   * Deletes what a replaced upload left ({@code .tmp} of a stale one, {@code .data} sent but never
   * marked finished): its row now names the new upload, so no sweep would find them again. A stream
   * still writing the old upload fails when it ends ("replaced while it was sent").
   */
  private static void deleteUploadFiles(Path dir, int type, String uploadId) {
    for (String suffix : new String[] {".tmp", ".data"}) {
      Path f = dir.resolve(type + "." + uploadId + suffix);
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        log.warn("could not delete {} of a replaced debug-info upload", f, e);
      }
    }
  }

  /**
   * Opens the data stream of an upload.
   *
   * @throws DebuginfoException PRECONDITION for an unknown build id or a finished upload, INVALID for a wrong upload id
   */
  public UploadSession openUpload(UUID projectId, String buildId, int type, String uploadId) {
    validateBuildId(buildId);
    validateType(type);
    UploadRecord r = index.find(projectId.toString(), buildId, type).orElseThrow(() ->
        new DebuginfoException(Reason.PRECONDITION, "no upload was initiated for build id " + buildId));
    if (!r.uploadId().equals(uploadId)) {
      throw new DebuginfoException(Reason.INVALID, "upload_id does not match the initiated upload");
    }
    if (!r.state().equals(UploadRecord.UPLOADING)) {
      throw new DebuginfoException(Reason.PRECONDITION, "the upload of build id " + buildId + " is already finished");
    }
    Path dir = dir(projectId, buildId);
    try {
      dev.tollgate.files.PrivateFiles.createDirectories(dir);
      return new UploadSession(dir.resolve(type + "." + uploadId + ".tmp"), dir.resolve(type + "." + uploadId + ".data"),
          maxSize, size -> {
            if (!index.setUploadedSize(projectId.toString(), buildId, type, uploadId, size)) {
              throw new DebuginfoException(Reason.PRECONDITION, "the upload was replaced while it was sent");
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes an uploaded file the build id's debug info.
   *
   * @throws DebuginfoException NOT_FOUND for an unknown build id, INVALID for a wrong upload id,
   *     PRECONDITION when no data was uploaded or another InitiateUpload replaced this upload meanwhile
   *     (then nothing of this upload is kept as the build id's debug info)
   */
  public void markUploadFinished(UUID projectId, String buildId, int type, String uploadId) {
    validateBuildId(buildId);
    validateType(type);
    UploadRecord r = index.find(projectId.toString(), buildId, type).orElseThrow(() ->
        new DebuginfoException(Reason.NOT_FOUND, "no upload is known for build id " + buildId));
    if (!r.uploadId().equals(uploadId)) {
      throw new DebuginfoException(Reason.INVALID, "upload_id does not match the initiated upload");
    }
    if (r.state().equals(UploadRecord.UPLOADED)) {
      return;
    }
    Path dir = dir(projectId, buildId);
    Path data = dir.resolve(type + "." + uploadId + ".data");
    if (!Files.exists(data)) {
      throw new DebuginfoException(Reason.PRECONDITION, "no data was uploaded for upload " + uploadId);
    }
    // The row is marked first, only if this upload is still the one in progress, and the data moved
    // into place after: a replaced upload never overwrites the build id's file. The lock keeps a
    // replacement (initiateUpload) and the sweep out from between the two steps.
    if (objectStore != null) {
      putObject(projectId, buildId, type, uploadId, data);
    }
    finishing.lock();
    try {
      if (!index.markUploaded(projectId.toString(), buildId, type, uploadId, clock.millis())) {
        Optional<UploadRecord> now = index.find(projectId.toString(), buildId, type);
        if (now.isPresent() && now.get().uploadId().equals(uploadId)
            && now.get().state().equals(UploadRecord.UPLOADED)) {
          return; // a concurrent MarkUploadFinished of the same upload did it
        }
        throw new DebuginfoException(Reason.PRECONDITION, "the upload was replaced by another one while it was finished");
      }
      try {
        Files.move(data, objectStore == null ? dir.resolve(String.valueOf(type)) : objectCopy(dir, type, uploadId),
            StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | RuntimeException e) {
        index.unmarkUploaded(projectId.toString(), buildId, type, uploadId);
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
    } finally {
      finishing.unlock();
    }
  }

  /**
   * Puts an upload's bytes into object storage under a key of its own (the upload id), so a
   * replacing upload never overwrites them; a refused conditional put with the same bytes is a retry.
   */
  private void putObject(UUID projectId, String buildId, int type, String uploadId, Path data) {
    String key = objectStore.key("debuginfo/" + projectId + "/" + dir(projectId, buildId).getFileName() + "/" + type
        + "." + uploadId);
    try {
      if (!objectStore.putIfAbsent(key, data) && !objectStore.sameContent(key, data)) {
        throw new DebuginfoException(Reason.PRECONDITION, "the object for upload " + uploadId + " holds other bytes");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    index.setObjectKey(projectId.toString(), buildId, type, uploadId, key);
  }

  private static Path objectCopy(Path dir, int type, String uploadId) {
    return dir.resolve(type + "." + uploadId + ".object");
  }

  /**
   * Where the finished debug info of a build id is, if uploaded: with object storage, a local
   * copy of its object (fetched once, by whichever server needs it).
   */
  public Optional<Path> file(UUID projectId, String buildId, int type) {
    if (objectStore != null) {
      Optional<String[]> object = index.uploadedObject(projectId.toString(), buildId, type);
      if (object.isPresent()) {
        return Optional.of(localCopy(dir(projectId, buildId), type, object.get()[0], object.get()[1]));
      }
    }
    return index.find(projectId.toString(), buildId, type)
        .filter(r -> r.state().equals(UploadRecord.UPLOADED))
        .map(r -> dir(projectId, buildId).resolve(String.valueOf(type)));
  }

  /**
   * Deletes the files of stale uploads, {@code <type>.<upload id>.tmp} (partial) and {@code .data}
   * (sent but never marked finished); their rows stay so a retry is allowed. A build id's finished
   * debug info ({@code <type>}, moved there by {@link #markUploadFinished}) never matches. Each row is
   * checked again under the lock, so an upload finished meanwhile keeps its data. Returns how many went.
   */
  public int sweepStaleUploads() {
    int n = 0;
    for (UploadRecord r : index.staleUploads(clock.millis() - STALE_AFTER.toMillis())) {
      Path dir = dir(UUID.fromString(r.projectId()), r.buildId());
      String prefix = r.type() + "." + r.uploadId() + ".";
      if (!Files.isDirectory(dir)) {
        continue;
      }
      finishing.lock();
      try (Stream<Path> files = Files.list(dir)) {
        Optional<UploadRecord> now = index.find(r.projectId(), r.buildId(), r.type());
        if (now.isEmpty() || !now.get().uploadId().equals(r.uploadId())
            || !now.get().state().equals(UploadRecord.UPLOADING)) {
          continue;
        }
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
          Files.deleteIfExists(f);
          n++;
        }
      } catch (IOException e) {
        log.warn("sweeping stale upload files in {} failed", dir, e);
      } finally {
        finishing.unlock();
      }
    }
    return n;
  }

  private Path localCopy(Path dir, int type, String uploadId, String key) {
    Path copy = objectCopy(dir, type, uploadId);
    if (Files.exists(copy)) {
      return copy;
    }
    try {
      dev.tollgate.files.PrivateFiles.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, type + ".fetch", ".part"); // createTempFile makes it 0600
      try (java.io.InputStream in = objectStore.open(key)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return copy;
    } catch (dev.tollgate.objectstore.ObjectStoreException e) {
      log.warn("fetching debug info {} from object storage failed: {}", key, e.getMessage());
      throw dev.tollgate.errors.TollgateException.unavailable(
          "debug info is in object storage, which cannot be reached right now; retry");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean isStale(UploadRecord r) {
    return r.startedAt() + STALE_AFTER.toMillis() < clock.millis();
  }

  private Path dir(UUID projectId, String buildId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(buildId.getBytes(StandardCharsets.UTF_8));
      return root.resolve(projectId.toString()).resolve(HexFormat.of().formatHex(d));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Longest accepted build id: GNU ones are 40 hex digits, Go ones about 90 characters. */
  public static final int MAX_BUILD_ID_LENGTH = 1024;

  private static void validateBuildId(String buildId) {
    if (buildId == null || buildId.length() <= 2) {
      throw new DebuginfoException(Reason.INVALID, "build_id is unexpectedly short (2 characters or fewer)");
    }
    if (buildId.length() > MAX_BUILD_ID_LENGTH) {
      throw new DebuginfoException(Reason.INVALID, "build_id is longer than " + MAX_BUILD_ID_LENGTH + " characters");
    }
    // control characters (NUL among them, which PostgreSQL cannot store) are in no build id format
    for (int i = 0; i < buildId.length(); i++) {
      char c = buildId.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new DebuginfoException(Reason.INVALID, "build_id contains a control character");
      }
    }
  }

  /** The debuginfo types of Parca's {@code DebuginfoType}; another number cannot be echoed back to the client. */
  private static void validateType(int type) {
    if (type < 0 || type > 3) {
      throw new DebuginfoException(Reason.INVALID, "type " + type + " is not a known debuginfo type");
    }
  }
}
