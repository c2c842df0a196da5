package dev.tollgate.ingest;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.pprof.Profile;
import java.util.List;

/** Test-only entry points into the package-private decode paths, for {@code dev.tollgate.bench}. */
public final class PprofBenchAccess {
  private PprofBenchAccess() {}

  /** The full parse: PprofDecoder + PprofValidator + ProfileTypes, as before the single-pass scan. */
  public static List<String> fullParse(ByteString raw, long maxBytes) {
    Profile p = PprofDecoder.decode(raw, maxBytes);
    if (PprofValidator.problem(p, 0).isPresent()) {
      throw new IllegalStateException("invalid");
    }
    return ProfileTypes.of("n", p);
  }

  /** What WriteRawDecoder does now. */
  public static List<String> scan(ByteString raw, long maxBytes) {
    return PprofScan.decodeAndValidate(raw, maxBytes, 0).profileTypes("n");
  }

  /** Only the gunzip, for reference: the floor of any decode that reads every byte. */
  public static int inflateOnly(ByteString raw) {
    try (var in = new java.util.zip.GZIPInputStream(raw.newInput(), 64 << 10)) {
      return in.readAllBytes().length;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
