package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Bytes to store, and the label sets (at least one) they are indexed under.
 *
 * @param rawSample for a WriteRaw {@code raw_profile}: what the call said about it; else null
 */
public record NewBlob(BlobKind kind, byte[] bytes, List<SeriesEntry> entries, RawSampleInfo rawSample) {
  public NewBlob(BlobKind kind, byte[] bytes, List<SeriesEntry> entries) {
    this(kind, bytes, entries, null);
  }

  public NewBlob {
    requireNonNull(kind, "kind");
    requireNonNull(bytes, "bytes");
    entries = List.copyOf(requireNonNull(entries, "entries"));
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("entries must not be empty");
    }
  }
}
