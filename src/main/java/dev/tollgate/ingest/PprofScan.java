package dev.tollgate.ingest;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.ValueType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Decode + validate of a {@code raw_profile} in one pass over the (inflated) bytes, without
 * building the {@link Profile} object graph: reads the protobuf wire format field by field,
 * keeping only counts, ids, string-index maxima and the offsets of the string table.
 *
 * <p>The fast pass only ever says "valid, here is what ingestion needs" or "not sure". Anything it
 * does not accept - a failed check, malformed bytes, gzip errors, the size limit, unknown fields,
 * a repeated {@code period_type} - falls back to {@link PprofDecoder} + {@link PprofValidator},
 * so error messages, their order and every edge case stay exactly those of the full parse. The
 * fast pass is therefore written to be at least as strict as protobuf's parser plus the validator.
 */
final class PprofScan {
  private PprofScan() {}

  /** What ingestion needs from a valid profile. */
  record Summary(String[] sampleTypes, String[] sampleUnits, String periodTypeAndUnit, boolean delta,
      long timeNanos, long durationNanos) {
    List<String> profileTypes(String name) {
      List<String> out = new ArrayList<>(sampleTypes.length);
      for (int i = 0; i < sampleTypes.length; i++) {
        out.add(ProfileTypes.of(name, sampleTypes[i], sampleUnits[i], periodTypeAndUnit, delta));
      }
      return out;
    }

    static Summary of(Profile p) {
      int n = p.getSampleTypeCount();
      String[] types = new String[n];
      String[] units = new String[n];
      for (int i = 0; i < n; i++) {
        ValueType t = p.getSampleType(i);
        types[i] = p.getStringTable((int) t.getType());
        units[i] = p.getStringTable((int) t.getUnit());
      }
      ValueType period = p.getPeriodType();
      return new Summary(types, units,
          p.getStringTable((int) period.getType()) + ":" + p.getStringTable((int) period.getUnit()),
          p.getDurationNanos() != 0, p.getTimeNanos(), p.getDurationNanos());
    }
  }

  /**
   * @throws InvalidProfileException with exactly the message of {@link PprofDecoder} or
   *     {@link PprofValidator} (without a series/sample prefix)
   */
  static Summary decodeAndValidate(ByteString raw, long maxBytes, int executableInfoCount) {
    return decodeAndValidate(raw, maxBytes, ProfileLimits.defaults(), executableInfoCount);
  }

  static Summary decodeAndValidate(ByteString raw, long maxBytes, ProfileLimits limits, int executableInfoCount) {
    try (DecompressionBudget.Lease lease = DecompressionBudget.unlimited().lease()) {
      return decodeAndValidate(raw, maxBytes, limits, executableInfoCount, lease);
    }
  }

  /**
   * As above, with the inflated bytes held in {@code lease} while they grow; the fallback parse
   * runs while the lease holds the inflated size plus what {@link PprofCensus} says the parse may
   * build, so concurrent fallbacks share the budget too.
   *
   * @throws InvalidProfileException also when the profile holds more objects than {@code limits}
   */
  static Summary decodeAndValidate(ByteString raw, long maxBytes, int executableInfoCount,
      DecompressionBudget.Lease lease) {
    return decodeAndValidate(raw, maxBytes, ProfileLimits.defaults(), executableInfoCount, lease);
  }

  static Summary decodeAndValidate(ByteString raw, long maxBytes, ProfileLimits limits, int executableInfoCount,
      DecompressionBudget.Lease lease) {
    Summary fast = fast(raw, maxBytes, limits, executableInfoCount, lease);
    if (fast != null) {
      return fast;
    }
    Profile p = PprofDecoder.decode(raw, maxBytes);
    Optional<String> problem = PprofValidator.problem(p, executableInfoCount);
    if (problem.isPresent()) {
      throw new InvalidProfileException(problem.get());
    }
    return Summary.of(p);
  }

  /**
   * From this many inflated bytes on, each time the buffer grows the census looks at what came so
   * far (cost: at most twice the inflated bytes), so a bomb of tiny objects is refused after a few
   * MiB; real profiles are smaller and never pay for it.
   */
  private static final int CENSUS_FROM = 8 << 20;

  /**
   * Over {@code maxBytes}: the size limit, unless what inflated already holds more objects than
   * {@code limits}, which is wrong data whatever this server's memory (INVALID_ARGUMENT, not retried).
   */
  private static InvalidProfileException tooLarge(byte[] buf, int len, long maxBytes, ProfileLimits limits) {
    PprofCensus.parseCost(buf, len, limits);
    return tooLarge(maxBytes);
  }

  private static InvalidProfileException tooLarge(long maxBytes) {
    return InvalidProfileException.tooLarge("raw_profile decompresses to more than " + maxBytes + " bytes");
  }

  /**
   * The summary of a valid profile, or null when the full parse must decide.
   *
   * @throws InvalidProfileException when the profile is over {@code maxBytes} (PprofDecoder's
   *     message), so a bomb is never inflated twice, or holds more than {@code limits} (then
   *     before anything is built; the census runs before every fallback, since the scanner stops
   *     at the first thing it does not know)
   */
  static Summary fast(ByteString raw, long maxBytes, int executableInfoCount, DecompressionBudget.Lease lease) {
    return fast(raw, maxBytes, ProfileLimits.defaults(), executableInfoCount, lease);
  }

  static Summary fast(ByteString raw, long maxBytes, ProfileLimits limits, int executableInfoCount,
      DecompressionBudget.Lease lease) {
    boolean gzip = raw.size() >= 2 && (raw.byteAt(0) & 0xff) == 0x1f && (raw.byteAt(1) & 0xff) == 0x8b;
    byte[] buf = new byte[0];
    int len = 0;
    if (!gzip) {
      if (raw.size() > maxBytes) {
        throw InvalidProfileException.tooLarge("raw_profile is larger than " + maxBytes + " bytes");
      }
      lease.hold(raw.size());
      buf = raw.toByteArray();
      len = buf.length;
    } else {
      // inflate through the same counting limit as PprofDecoder: never more than maxBytes + 1 bytes
      // the input buffer holds compressed bytes: no need for 64 KiB when the profile is smaller
      try (InputStream in = new GZIPInputStream(raw.newInput(), Math.max(512, Math.min(64 << 10, raw.size())))) {
        int initial = (int) Math.min(Math.max(raw.size() * 4L, 8 << 10), Math.min(maxBytes + 1, 1 << 30));
        lease.hold(initial);
        buf = new byte[initial];
        len = 0;
        while (true) {
          if (len == buf.length) {
            if (len > maxBytes) {
              throw tooLarge(buf, len, maxBytes, limits);
            }
            if (len >= CENSUS_FROM) {
              // a bomb of tiny objects is refused as soon as its inflated part shows too many
              PprofCensus.parseCost(buf, len, limits);
            }
            long grown = Math.min(Math.min((long) len * 2, maxBytes + 1), Integer.MAX_VALUE - 16);
            if (grown <= len) {
              return fallback(buf, len, limits, lease);
            }
            lease.hold(len + grown); // both arrays live while copying
            buf = Arrays.copyOf(buf, (int) grown);
            lease.hold(grown);
          }
          int n = in.read(buf, len, buf.length - len);
          if (n < 0) {
            break;
          }
          len += n;
          if (len > maxBytes) {
            throw tooLarge(buf, len, maxBytes, limits);
          }
        }
      } catch (InvalidProfileException | io.grpc.StatusRuntimeException e) {
        throw e; // over the limit, or no room in the budget: final answers
      } catch (IOException | RuntimeException e) {
        // broken gzip: the full parse reads what inflated before the error, so that is counted
        return fallback(buf, len, limits, lease);
      }
    }
    Summary s;
    try {
      s = new Scanner(buf, len, limits).scan(executableInfoCount);
    } catch (InvalidProfileException e) {
      throw e; // over a count limit
    } catch (RuntimeException e) {
      s = null;
    }
    return s != null ? s : fallback(buf, len, limits, lease);
  }

  /** Null (the full parse decides) once the census found the parse within limits and the budget holds its cost. */
  private static Summary fallback(byte[] buf, int len, ProfileLimits limits, DecompressionBudget.Lease lease) {
    lease.hold(len + PprofCensus.parseCost(buf, len, limits));
    return null;
  }

  private static final int VARINT = 0;
  private static final int LD = 2;

  /** Thrown for anything malformed; the full parse then decides. */
  private static final class Malformed extends RuntimeException {
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super(null, null, false, false);
    }
  }

  /**
   * One pass over a plain pprof, reading varints straight from the array (protobuf wire format;
   * at least as strict as {@code CodedInputStream}); every method returns false for "not sure".
   */
  private static final class Scanner {
    private final byte[] buf;
    private final int len;
    private int pos;

    private int[] stringOff = new int[256];
    private int[] stringLen = new int[256];
    private int strings;

    private long[] sampleTypeIdx = new long[8]; // type, unit pairs
    private int sampleTypes;
    private boolean hasPeriodType;
    private long periodType;
    private long periodUnit;

    private int mappings;
    private int functions;
    private int locations;

    /** string indexes: any negative, and the largest */
    private boolean negativeStringIndex;
    private long maxStringIndex = 0;
    /** unsigned maxima of references; a zero reference where it is not allowed fails at once */
    private long maxMappingRef;
    private long maxFunctionRef;
    private long maxLocationRef;
    /** value count of every sample, -1 before the first */
    private int valueCount = -1;

    private long dropFrames;
    private long keepFrames;
    private long defaultSampleType;
    private long timeNanos;
    private long durationNanos;

    private final ProfileLimits limits;
    private long samples;
    /** entries of samples and locations: values, location ids, labels, lines */
    private long values;

    Scanner(byte[] buf, int len, ProfileLimits limits) {
      this.buf = buf;
      this.len = len;
      this.limits = limits;
    }

    private void value() {
      PprofCensus.count(++values, limits.values(), "values (entries of samples and locations, and unknown fields)",
          "--max-profile-values");
    }

    Summary scan(int executableInfoCount) {
      if (!profile()) {
        return null;
      }
      if (strings == 0 || stringLen[0] != 0) {
        return null;
      }
      if (executableInfoCount != 0 && executableInfoCount != mappings) {
        return null;
      }
      stringIndex(dropFrames);
      stringIndex(keepFrames);
      stringIndex(defaultSampleType);
      if (negativeStringIndex || maxStringIndex >= strings) {
        return null;
      }
      if (Long.compareUnsigned(maxMappingRef, mappings) > 0
          || Long.compareUnsigned(maxFunctionRef, functions) > 0
          || Long.compareUnsigned(maxLocationRef, locations) > 0) {
        return null;
      }
      if (valueCount != -1 && valueCount != sampleTypes) {
        return null;
      }
      String[] types = new String[sampleTypes];
      String[] units = new String[sampleTypes];
      for (int i = 0; i < sampleTypes; i++) {
        types[i] = string(sampleTypeIdx[2 * i]);
        units[i] = string(sampleTypeIdx[2 * i + 1]);
      }
      long pt = hasPeriodType ? periodType : 0;
      long pu = hasPeriodType ? periodUnit : 0;
      return new Summary(types, units, string(pt) + ":" + string(pu), durationNanos != 0, timeNanos, durationNanos);
    }

    private String string(long index) {
      int i = (int) index;
      return new String(buf, stringOff[i], stringLen[i], StandardCharsets.UTF_8);
    }

    private void stringIndex(long index) {
      if (index < 0) {
        negativeStringIndex = true;
      } else if (index > maxStringIndex) {
        maxStringIndex = index;
      }
    }

    /** A varint ending before {@code end}; at most 10 bytes, as protobuf's readRawVarint64. */
    private long varint(int end) {
      int p = pos;
      if (p >= end) {
        throw Malformed.INSTANCE;
      }
      byte[] b = buf;
      long x = b[p++];
      if (x >= 0) {
        pos = p;
        return x;
      }
      x &= 0x7f;
      for (int shift = 7; shift < 64; shift += 7) {
        if (p >= end) {
          throw Malformed.INSTANCE;
        }
        long c = b[p++];
        x |= (c & 0x7f) << shift;
        if (c >= 0) {
          pos = p;
          return x;
        }
      }
      throw Malformed.INSTANCE;
    }

    /** A tag (field number >= 1, fits in 32 bits) before {@code end}. */
    private int tag(int end) {
      long t = varint(end);
      if (t < 8 || t > Integer.MAX_VALUE) {
        throw Malformed.INSTANCE;
      }
      return (int) t;
    }

    /** The end of a length-delimited field starting at pos, within {@code end}. */
    private int length(int end) {
      long n = varint(end);
      if (n < 0 || n > end - pos) {
        throw Malformed.INSTANCE;
      }
      return pos + (int) n;
    }

    private boolean profile() {
      int end = len;
      while (pos < end) {
        int t = tag(end);
        boolean ok = switch (t) {
          case 1 << 3 | LD -> sampleType(length(end));
          case 2 << 3 | LD -> sample(length(end));
          case 3 << 3 | LD -> mapping(length(end));
          case 4 << 3 | LD -> location(length(end));
          case 5 << 3 | LD -> function(length(end));
          case 6 << 3 | LD -> string(length(end));
          case 7 << 3 | VARINT -> {
            dropFrames = varint(end);
            yield true;
          }
          case 8 << 3 | VARINT -> {
            keepFrames = varint(end);
            yield true;
          }
          case 9 << 3 | VARINT -> {
            timeNanos = varint(end);
            yield true;
          }
          case 10 << 3 | VARINT -> {
            durationNanos = varint(end);
            yield true;
          }
          case 11 << 3 | LD -> periodType(length(end));
          case 12 << 3 | VARINT -> {
            varint(end);
            yield true;
          }
          case 13 << 3 | VARINT -> {
            stringIndex(varint(end));
            yield true;
          }
          case 13 << 3 | LD -> {
            int e = length(end);
            while (pos < e) {
              stringIndex(varint(e));
            }
            yield true;
          }
          case 14 << 3 | VARINT -> {
            defaultSampleType = varint(end);
            yield true;
          }
          case 15 << 3 | LD -> utf8(length(end));
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private boolean sampleType(int end) {
      long type = 0;
      long unit = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> type = varint(end);
          case 2 << 3 | VARINT -> unit = varint(end);
          default -> {
            return false;
          }
        }
      }
      stringIndex(type);
      stringIndex(unit);
      if (2 * sampleTypes + 2 > sampleTypeIdx.length) {
        sampleTypeIdx = Arrays.copyOf(sampleTypeIdx, sampleTypeIdx.length * 2);
      }
      sampleTypeIdx[2 * sampleTypes] = type;
      sampleTypeIdx[2 * sampleTypes + 1] = unit;
      sampleTypes++;
      return true;
    }

    private boolean periodType(int end) {
      if (hasPeriodType) {
        return false; // a second occurrence merges into the first; leave that to the full parse
      }
      hasPeriodType = true;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> periodType = varint(end);
          case 2 << 3 | VARINT -> periodUnit = varint(end);
          default -> {
            return false;
          }
        }
      }
      stringIndex(periodType);
      stringIndex(periodUnit);
      return true;
    }

    private boolean sample(int end) {
      PprofCensus.count(++samples, limits.samples(), "samples", "--max-profile-samples");
      int values = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> {
            if (!locationRef(varint(end))) {
              return false;
            }
          }
          case 1 << 3 | LD -> {
            int e = length(end);
            while (pos < e) {
              if (!locationRef(varint(e))) {
                return false;
              }
            }
          }
          case 2 << 3 | VARINT -> {
            varint(end);
            values++;
            value();
          }
          case 2 << 3 | LD -> {
            int e = length(end);
            while (pos < e) {
              varint(e);
              values++;
              value();
            }
          }
          case 3 << 3 | LD -> {
            value();
            if (!label(length(end))) {
              return false;
            }
          }
          default -> {
            return false;
          }
        }
      }
      if (valueCount == -1) {
        valueCount = values;
      } else if (valueCount != values) {
        return false;
      }
      return true;
    }

    private boolean locationRef(long id) {
      value();
      if (id == 0) {
        return false;
      }
      if (Long.compareUnsigned(id, maxLocationRef) > 0) {
        maxLocationRef = id;
      }
      return true;
    }

    private boolean label(int end) {
      long key = 0;
      long str = 0;
      long numUnit = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> key = varint(end);
          case 2 << 3 | VARINT -> str = varint(end);
          case 3 << 3 | VARINT -> varint(end);
          case 4 << 3 | VARINT -> numUnit = varint(end);
          default -> {
            return false;
          }
        }
      }
      stringIndex(key);
      stringIndex(str);
      stringIndex(numUnit);
      return true;
    }

    private boolean mapping(int end) {
      long id = 0;
      long filename = 0;
      long buildId = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> id = varint(end);
          case 2 << 3 | VARINT, 3 << 3 | VARINT, 4 << 3 | VARINT -> varint(end);
          case 5 << 3 | VARINT -> filename = varint(end);
          case 6 << 3 | VARINT -> buildId = varint(end);
          case 7 << 3 | VARINT, 8 << 3 | VARINT, 9 << 3 | VARINT, 10 << 3 | VARINT -> varint(end);
          default -> {
            return false;
          }
        }
      }
      mappings++;
      PprofCensus.count(mappings, limits.locations(), "mappings", "--max-profile-locations");
      if (id != mappings) {
        return false;
      }
      stringIndex(filename);
      stringIndex(buildId);
      return true;
    }

    private boolean location(int end) {
      long id = 0;
      long mappingId = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> id = varint(end);
          case 2 << 3 | VARINT -> mappingId = varint(end);
          case 3 << 3 | VARINT, 5 << 3 | VARINT -> varint(end);
          case 4 << 3 | LD -> {
            value();
            if (!line(length(end))) {
              return false;
            }
          }
          default -> {
            return false;
          }
        }
      }
      locations++;
      PprofCensus.count(locations, limits.locations(), "locations", "--max-profile-locations");
      if (id != locations) {
        return false;
      }
      if (Long.compareUnsigned(mappingId, maxMappingRef) > 0) {
        maxMappingRef = mappingId;
      }
      return true;
    }

    private boolean line(int end) {
      long functionId = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> functionId = varint(end);
          case 2 << 3 | VARINT, 3 << 3 | VARINT -> varint(end);
          default -> {
            return false;
          }
        }
      }
      if (functionId == 0) {
        return false;
      }
      if (Long.compareUnsigned(functionId, maxFunctionRef) > 0) {
        maxFunctionRef = functionId;
      }
      return true;
    }

    private boolean function(int end) {
      long id = 0;
      long name = 0;
      long systemName = 0;
      long filename = 0;
      while (pos < end) {
        switch (tag(end)) {
          case 1 << 3 | VARINT -> id = varint(end);
          case 2 << 3 | VARINT -> name = varint(end);
          case 3 << 3 | VARINT -> systemName = varint(end);
          case 4 << 3 | VARINT -> filename = varint(end);
          case 5 << 3 | VARINT -> varint(end);
          default -> {
            return false;
          }
        }
      }
      functions++;
      PprofCensus.count(functions, limits.functions(), "functions", "--max-profile-functions");
      if (id != functions) {
        return false;
      }
      stringIndex(name);
      stringIndex(systemName);
      stringIndex(filename);
      return true;
    }

    private boolean string(int end) {
      int off = pos;
      if (!utf8(end)) {
        return false;
      }
      PprofCensus.count(strings + 1L, limits.strings(), "strings", "--max-profile-strings");
      if (strings == stringOff.length) {
        stringOff = Arrays.copyOf(stringOff, strings * 2);
        stringLen = Arrays.copyOf(stringLen, strings * 2);
      }
      stringOff[strings] = off;
      stringLen[strings] = end - off;
      strings++;
      return true;
    }

    private boolean utf8(int end) {
      if (!Utf8Check.valid(buf, pos, end)) {
        return false;
      }
      pos = end;
      return true;
    }
  }

  /** Well-formed UTF-8 (Unicode table 3-7): no overlongs, surrogates or code points past U+10FFFF. */
  static final class Utf8Check {
    private Utf8Check() {}

    static boolean valid(byte[] b, int i, int end) {
      while (i < end && b[i] >= 0) {
        i++;
      }
      while (i < end) {
        int c = b[i++] & 0xff;
        if (c < 0x80) {
          continue;
        }
        int lo = 0x80;
        int hi = 0xbf;
        int more;
        if (c >= 0xc2 && c <= 0xdf) {
          more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
          more = 2;
          if (c == 0xe0) {
            lo = 0xa0;
          } else if (c == 0xed) {
            hi = 0x9f;
          }
        } else if (c >= 0xf0 && c <= 0xf4) {
          more = 3;
          if (c == 0xf0) {
            lo = 0x90;
          } else if (c == 0xf4) {
            hi = 0x8f;
          }
        } else {
          return false;
        }
        if (end - i < more) {
          return false;
        }
        int c1 = b[i++] & 0xff;
        if (c1 < lo || c1 > hi) {
          return false;
        }
        for (int k = 1; k < more; k++) {
          int cn = b[i++] & 0xff;
          if (cn < 0x80 || cn > 0xbf) {
            return false;
          }
        }
      }
      return true;
    }
  }
}
