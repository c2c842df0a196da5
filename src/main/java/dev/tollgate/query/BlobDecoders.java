package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import dev.tollgate.profiles.BlobKind;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Each blob kind to its decoder: PPROF to {@link PprofBlobs}; ARROW and WRITE_V1 to {@link
 * ArrowProfiles}, whose profiles each carry the label set and profile type the index stores for
 * them, so a row of a blob shared by many label sets picks its own. Any other kind is not decoded.
 */
final class BlobDecoders implements BlobProfiles {
  private final PprofBlobs pprof;
  private final ArrowProfiles arrow;

  BlobDecoders(PprofBlobs pprof, ArrowProfiles arrow) {
    this.pprof = requireNonNull(pprof, "pprof");
    this.arrow = requireNonNull(arrow, "arrow");
  }

  @Override
  public boolean decodes(BlobKind kind) {
    return switch (kind) {
      case PPROF, ARROW, WRITE_V1 -> true;
      default -> false;
    };
  }

  @Override
  public List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes) {
    return switch (kind) {
      case PPROF -> pprof.of(projectId, kind, bytes);
      case ARROW, WRITE_V1 -> {
        List<LabeledProfile> decoded = arrow.decode(projectId, kind, bytes);
        List<BlobProfile> out = new ArrayList<>(decoded.size());
        for (LabeledProfile p : decoded) {
          out.add(new BlobProfile(p.labels(), p.profileType(), p.profile()));
        }
        yield out;
      }
      default -> List.of();
    };
  }
}
