package dev.tollgate.query;

import com.google.protobuf.CodedInputStream;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.pprof.Profile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/** PPROF blobs (WriteRaw's {@code raw_profile}, gzipped or not) as stored; other kinds are not its business. */
final class PprofBlobs implements BlobProfiles {
  @Override
  public boolean decodes(BlobKind kind) {
    return kind == BlobKind.PPROF;
  }

  @Override
  public List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes) {
    if (kind != BlobKind.PPROF) {
      return List.of();
    }
    return List.of(new BlobProfile(null, null, decode(bytes)));
  }

  static Profile decode(byte[] bytes) {
    boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes), 64 << 10)
        : new ByteArrayInputStream(bytes)) {
      CodedInputStream coded = CodedInputStream.newInstance(in, 64 << 10);
      coded.setSizeLimit(Integer.MAX_VALUE);
      return Profile.parseFrom(coded);
    } catch (IOException e) {
      throw new IllegalArgumentException("stored profile is not a pprof profile: " + e.getMessage());
    }
  }
}
