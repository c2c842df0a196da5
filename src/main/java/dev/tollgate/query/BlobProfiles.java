package dev.tollgate.query;

import dev.tollgate.profiles.BlobKind;
import java.util.List;
import java.util.UUID;

/**
 * Stored bytes to pprof profiles: the one step that knows blob formats ({@link BlobDecoders}:
 * PPROF by {@link PprofBlobs}, ARROW and WRITE_V1 by {@link ArrowProfiles}). Returns an empty
 * list for a kind it does not decode.
 *
 * @throws IllegalArgumentException for bytes that are not what their kind says
 */
interface BlobProfiles {
  List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes);

  /** Whether {@link #of} decodes this kind (else the query warns that such blobs were skipped). */
  boolean decodes(BlobKind kind);
}
