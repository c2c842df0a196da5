package dev.tollgate.profiles;

/** What the bytes of a stored blob are. */
public enum BlobKind {
  /** A {@code raw_profile} of WriteRaw, byte for byte (usually gzipped pprof). */
  PPROF,
  /** The {@code ipc_buffer} of WriteArrow, or the samples record of a Write that sent no locations: an Arrow IPC stream. */
  ARROW,
  /**
   * One complete v1 {@code Write} stream: its samples record and its locations record, each an
   * Arrow IPC stream prefixed by its length as a 4-byte big-endian integer. The locations carry the
   * stack traces the samples refer to, so both are kept.
   */
  WRITE_V1
}
