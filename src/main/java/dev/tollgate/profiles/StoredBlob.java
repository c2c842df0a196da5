package dev.tollgate.profiles;

import java.util.SortedMap;

/**
 * Stored bytes, exactly as received, and what they are.
 *
 * @param labels the label set the profile is indexed under
 * @param rawSample what the WriteRaw call said about these bytes; null for other kinds and for
 *     profiles stored before it was kept
 */
public record StoredBlob(BlobKind kind, byte[] bytes, SortedMap<String, String> labels, RawSampleInfo rawSample) {
  public StoredBlob(BlobKind kind, byte[] bytes) {
    this(kind, bytes, java.util.Collections.emptySortedMap(), null);
  }
}
