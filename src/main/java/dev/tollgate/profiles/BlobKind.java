package dev.tollgate.profiles;

/** What the bytes of a stored blob are. */
public enum BlobKind {
  /** A {@code raw_profile} of WriteRaw, byte for byte (usually gzipped pprof). */
  PPROF,
  /** The {@code ipc_buffer} of WriteArrow, or the samples record of Write: an Arrow IPC stream. */
  ARROW
}
