package dev.tollgate.query;

import dev.tollgate.profiles.BlobKind;
import java.util.List;
import java.util.UUID;

/**
 * Stored bytes to pprof profiles: the one step that knows blob formats. PPROF blobs are decoded
 * by {@link PprofBlobs}; ARROW and WRITE_V1 blobs need the Arrow decoder, which plugs in here
 * (see {@link Query}). Returns an empty list for a kind it does not decode.
 *
 * @throws IllegalArgumentException for bytes that are not what their kind says
 */
interface BlobProfiles {
  List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes);

  /** Whether {@link #of} decodes this kind (else the query warns that such blobs were skipped). */
  boolean decodes(BlobKind kind);

  /** A decoder of ARROW and WRITE_V1 blobs (the Arrow side, e.g. {@code ArrowProfiles::decode} adapted). */
  @FunctionalInterface
  interface ArrowDecoder {
    List<BlobProfile> decode(UUID projectId, BlobKind kind, byte[] bytes);
  }

  /** {@code pprof} for PPROF blobs, {@code arrow} for ARROW and WRITE_V1 blobs. */
  static BlobProfiles withArrow(BlobProfiles pprof, ArrowDecoder arrow) {
    return new BlobProfiles() {
      @Override
      public List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes) {
        return kind == BlobKind.PPROF ? pprof.of(projectId, kind, bytes) : arrow.decode(projectId, kind, bytes);
      }

      @Override
      public boolean decodes(BlobKind kind) {
        return true;
      }
    };
  }
}
