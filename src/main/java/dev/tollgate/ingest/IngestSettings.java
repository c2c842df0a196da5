package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Tunables of the data plane.
 *
 * @param retention how long stored profiles are kept; whole segments older than this are deleted (default 7 days)
 * @param debuginfoMaxSize largest accepted debug-info upload in bytes (default 1,000,000,000)
 * @param maxDecompressedProfileBytes largest profile accepted once decompressed, in bytes: a pprof
 *     after gunzip, an Arrow stream's buffers after LZ4 (default 512 MiB)
 * @param segmentMaxBytes a profile segment file rolls over once it reaches this size (default 256 MiB)
 * @param segmentMaxAge a profile segment file rolls over once it is this old (default 1 hour)
 * @param writeStreamTimeout how long a {@code Write} stream may take from its start until its locations record
 *     arrives before it is refused with DEADLINE_EXCEEDED, like Parca's bound on the whole stream (default 5 s)
 * @param maxPanicReportBytes how much of a panic report's stderr is kept (default 64 KiB)
 * @param decodeMemoryBytes off-heap memory for decoding Arrow streams, shared by all calls; one
 *     stream may use half of it. 0 (the default) sizes it from the machine: a quarter of its
 *     physical memory (or container limit), at least 256 MiB
 * @param profileLimits how many samples, locations, functions, strings and values one pprof
 *     profile may hold ({@link ProfileLimits#defaults()})
 * @param retryWindow for how long after a blob was stored a blob of the same content (bytes, label
 *     sets, sample times) is taken for a retry of its call, answered with what was stored and not
 *     stored again; {@link Duration#ZERO}: every blob is stored (default 15 minutes)
 */
public record IngestSettings(
    Duration retention,
    long debuginfoMaxSize,
    long maxDecompressedProfileBytes,
    long segmentMaxBytes,
    Duration segmentMaxAge,
    Duration writeStreamTimeout,
    int maxPanicReportBytes,
    long decodeMemoryBytes,
    ProfileLimits profileLimits,
    Duration retryWindow) {


  public IngestSettings {
    requireNonNull(retention, "retention");
    requireNonNull(segmentMaxAge, "segmentMaxAge");
    requireNonNull(writeStreamTimeout, "writeStreamTimeout");
    requireNonNull(profileLimits, "profileLimits");
    requireNonNull(retryWindow, "retryWindow");
    if (retryWindow.isNegative()) {
      throw new IllegalArgumentException("retryWindow must not be negative: " + retryWindow);
    }
    requirePositive(retention, "retention");
    requirePositive(segmentMaxAge, "segmentMaxAge");
    requirePositive(writeStreamTimeout, "writeStreamTimeout");
    if (debuginfoMaxSize <= 0) {
      throw new IllegalArgumentException("debuginfoMaxSize must be positive: " + debuginfoMaxSize);
    }
    if (maxDecompressedProfileBytes <= 0) {
      throw new IllegalArgumentException("maxDecompressedProfileBytes must be positive: " + maxDecompressedProfileBytes);
    }
    if (segmentMaxBytes <= 0) {
      throw new IllegalArgumentException("segmentMaxBytes must be positive: " + segmentMaxBytes);
    }
    if (maxPanicReportBytes <= 0) {
      throw new IllegalArgumentException("maxPanicReportBytes must be positive: " + maxPanicReportBytes);
    }
    if (decodeMemoryBytes < 0) {
      throw new IllegalArgumentException("decodeMemoryBytes must be 0 (sized from the machine) or positive: "
          + decodeMemoryBytes);
    }
  }

  /** Settings with the default {@link ProfileLimits}. */
  public IngestSettings(Duration retention, long debuginfoMaxSize, long maxDecompressedProfileBytes,
      long segmentMaxBytes, Duration segmentMaxAge, Duration writeStreamTimeout, int maxPanicReportBytes,
      long decodeMemoryBytes) {
    this(retention, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge, writeStreamTimeout,
        maxPanicReportBytes, decodeMemoryBytes, ProfileLimits.defaults(),
        dev.tollgate.profiles.ProfileStore.DEFAULT_RETRY_WINDOW);
  }

  /** Settings with {@code decodeMemoryBytes} sized from the machine. */
  public IngestSettings(Duration retention, long debuginfoMaxSize, long maxDecompressedProfileBytes,
      long segmentMaxBytes, Duration segmentMaxAge, Duration writeStreamTimeout, int maxPanicReportBytes) {
    this(retention, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge, writeStreamTimeout,
        maxPanicReportBytes, 0);
  }

  /** The defaults listed on the record components. */
  public static IngestSettings defaults() {
    return new IngestSettings(
        Duration.ofDays(7), 1_000_000_000L, 512L << 20, 256L << 20, Duration.ofHours(1), Duration.ofSeconds(5), 64 << 10);
  }

  public IngestSettings withRetention(Duration value) {
    return new IngestSettings(value, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, profileLimits, retryWindow);
  }

  public IngestSettings withDebuginfoMaxSize(long value) {
    return new IngestSettings(retention, value, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, profileLimits, retryWindow);
  }

  public IngestSettings withMaxDecompressedProfileBytes(long value) {
    return new IngestSettings(retention, debuginfoMaxSize, value, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, profileLimits, retryWindow);
  }

  public IngestSettings withSegmentMaxBytes(long value) {
    return new IngestSettings(retention, debuginfoMaxSize, maxDecompressedProfileBytes, value, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, profileLimits, retryWindow);
  }

  public IngestSettings withDecodeMemoryBytes(long value) {
    return new IngestSettings(retention, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, value, profileLimits, retryWindow);
  }

  public IngestSettings withRetryWindow(Duration value) {
    return new IngestSettings(retention, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, profileLimits, value);
  }

  public IngestSettings withProfileLimits(ProfileLimits value) {
    return new IngestSettings(retention, debuginfoMaxSize, maxDecompressedProfileBytes, segmentMaxBytes, segmentMaxAge,
        writeStreamTimeout, maxPanicReportBytes, decodeMemoryBytes, value, retryWindow);
  }

  /** {@link #decodeMemoryBytes}, or when 0 a quarter of the machine's memory (at least 256 MiB). */
  public long effectiveDecodeMemoryBytes() {
    if (decodeMemoryBytes > 0) {
      return decodeMemoryBytes;
    }
    long physical = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getTotalMemorySize() : 0;
    return Math.max(256L << 20, physical / 4);
  }

  private static void requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
