package dev.tollgate.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.tollgate.proto.pprof.Profile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Turns a {@code raw_profile} into a pprof {@link Profile}: gzip when it starts with {@code 1f 8b},
 * plain protobuf otherwise. Decompression streams through a counting limit, so a gzip bomb is
 * refused after reading at most the limit instead of being inflated first.
 */
final class PprofDecoder {
  private PprofDecoder() {}

  /** @throws InvalidProfileException when the bytes are not a pprof or inflate beyond {@code maxBytes} */
  static Profile decode(ByteString raw, long maxBytes) {
    boolean gzip = raw.size() >= 2 && (raw.byteAt(0) & 0xff) == 0x1f && (raw.byteAt(1) & 0xff) == 0x8b;
    if (!gzip) {
      if (raw.size() > maxBytes) {
        throw InvalidProfileException.tooLarge("raw_profile is larger than " + maxBytes + " bytes");
      }
      try {
        return Profile.parseFrom(raw);
      } catch (IOException e) {
        throw new InvalidProfileException("raw_profile is not a pprof profile: " + e.getMessage());
      }
    }
    LimitedInputStream limited;
    try {
      limited = new LimitedInputStream(new GZIPInputStream(raw.newInput(), 64 << 10), maxBytes);
    } catch (IOException e) {
      throw new InvalidProfileException("raw_profile is not valid gzip: " + e.getMessage());
    }
    try (limited) {
      CodedInputStream in = CodedInputStream.newInstance(limited);
      in.setSizeLimit(Integer.MAX_VALUE);
      Profile p = Profile.parseFrom(in);
      // trailing bytes past the protobuf would be parsed as fields, so reaching here means all was read
      return p;
    } catch (IOException e) {
      if (limited.exceeded) {
        throw InvalidProfileException.tooLarge("raw_profile decompresses to more than " + maxBytes + " bytes");
      }
      throw new InvalidProfileException("raw_profile is not a gzipped pprof profile: " + e.getMessage());
    }
  }

  /** Fails the read once more than {@code limit} bytes came through. */
  private static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;
    boolean exceeded;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(long n) throws IOException {
      count += n;
      if (count > limit) {
        exceeded = true;
        throw new IOException("decompressed size limit exceeded");
      }
    }
  }
}
