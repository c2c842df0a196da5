package dev.tollgate.ingest;

/**
 * Counts what the full protobuf parse of a plain pprof would build - samples, locations and
 * mappings, functions, strings, and the entries inside them (see {@link ProfileLimits#values}) -
 * walking the wire format without building anything, and refuses as soon as a count passes its
 * limit. It runs before every full parse (the fallback of {@link PprofScan}), so malformed,
 * truncated or unusual bytes cannot make that parse build more than the limits allow: it is
 * tolerant where the parse fails (it stops where the bytes stop making sense, as the parse would),
 * strict only about counts. Unknown fields count as values; groups are walked, as protobuf keeps
 * their contents.
 */
final class PprofCensus {
  private static final int PROFILE = 0;
  private static final int SAMPLE = 1;
  private static final int LOCATION = 2;
  /** A message of scalar fields 1..n only (ValueType 2, Line 3, Label 4, Function 5, Mapping 10) is SCALARS + n. */
  private static final int SCALARS = 100;
  private static final int MAX_DEPTH = 100; // protobuf's recursion limit

  private final byte[] buf;
  private final ProfileLimits limits;
  private int pos;
  private long samples;
  private long locations;
  private long mappings;
  private long functions;
  private long strings;
  private long values;

  private PprofCensus(byte[] buf, ProfileLimits limits) {
    this.buf = buf;
    this.limits = limits;
  }

  /**
   * The heap the full parse of {@code buf[0..len)} may take ({@link ProfileLimits#parseCost}).
   *
   * @throws InvalidProfileException when a count is over its limit
   */
  static long parseCost(byte[] buf, int len, ProfileLimits limits) {
    PprofCensus c = new PprofCensus(buf, limits);
    try {
      c.message(PROFILE, len, 0);
    } catch (Stop e) {
      // the parse fails here too; what was counted up to here is what it may build first
    }
    return ProfileLimits.parseCost(c.samples, c.locations + c.mappings, c.functions, c.strings, c.values);
  }

  /** The bytes stop being protobuf: the parse stops here too. */
  private static final class Stop extends RuntimeException {
    static final Stop INSTANCE = new Stop();

    private Stop() {
      super(null, null, false, false);
    }
  }

  private long varint(int end) {
    long x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw Stop.INSTANCE;
      }
      byte b = buf[pos++];
      x |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return x;
      }
    }
    throw Stop.INSTANCE;
  }

  private void skip(int n, int end) {
    if (n > end - pos) {
      throw Stop.INSTANCE;
    }
    pos += n;
  }

  /** Walks fields until {@code end}, or until an end-group tag when {@code group} is its field number. */
  private void message(int type, int end, int depth) {
    if (depth > MAX_DEPTH) {
      throw Stop.INSTANCE;
    }
    while (pos < end) {
      long tag = varint(end);
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE) {
        throw Stop.INSTANCE;
      }
      switch (wire) {
        case 0 -> {
          varint(end);
          if (!knownScalar(type, field)) {
            value();
          }
        }
        case 1 -> {
          skip(8, end);
          value(); // no known field of pprof is fixed64
        }
        case 5 -> {
          skip(4, end);
          value();
        }
        case 2 -> {
          long n = varint(end);
          if (n < 0 || n > end - pos) {
            throw Stop.INSTANCE;
          }
          int e = pos + (int) n;
          lengthDelimited(type, field, e, depth);
          pos = e;
        }
        case 3 -> {
          value();
          message(-field - 1, end, depth + 1); // contents of an unknown group: all values
        }
        case 4 -> {
          if (type == -field - 1) {
            return;
          }
          throw Stop.INSTANCE;
        }
        default -> throw Stop.INSTANCE;
      }
    }
    if (type < 0) {
      throw Stop.INSTANCE; // a group without its end tag
    }
  }

  private void lengthDelimited(int type, int field, int end, int depth) {
    switch (type) {
      case PROFILE -> {
        switch (field) {
          case 1, 11 -> message(SCALARS + 2, end, depth + 1);
          case 2 -> {
            count(++samples, limits.samples(), "samples", "--max-profile-samples");
            message(SAMPLE, end, depth + 1);
          }
          case 3 -> {
            count(++mappings, limits.locations(), "mappings", "--max-profile-locations");
            message(SCALARS + 10, end, depth + 1);
          }
          case 4 -> {
            count(++locations, limits.locations(), "locations", "--max-profile-locations");
            message(LOCATION, end, depth + 1);
          }
          case 5 -> {
            count(++functions, limits.functions(), "functions", "--max-profile-functions");
            message(SCALARS + 5, end, depth + 1);
          }
          case 6 -> count(++strings, limits.strings(), "strings", "--max-profile-strings");
          case 13 -> packed(end);
          case 15 -> { } // doc_url: one string
          default -> value();
        }
      }
      case SAMPLE -> {
        switch (field) {
          case 1, 2 -> packed(end);
          case 3 -> {
            value();
            message(SCALARS + 4, end, depth + 1);
          }
          default -> value();
        }
      }
      case LOCATION -> {
        if (field == 4) {
          value();
          message(SCALARS + 3, end, depth + 1);
        } else {
          value();
        }
      }
      default -> value(); // in a scalar-only message or an unknown group: kept as unknown bytes
    }
  }

  /** Packed varints: each one an entry of a list. */
  private void packed(int end) {
    for (int i = pos; i < end; i++) {
      if (buf[i] >= 0) {
        value();
      }
    }
  }

  private static boolean knownScalar(int type, int field) {
    return switch (type) {
      case PROFILE -> field >= 7 && field <= 14 && field != 11 && field != 13;
      case SAMPLE -> false; // 1 and 2 are list entries, counted as values
      case LOCATION -> field == 1 || field == 2 || field == 3 || field == 5;
      default -> type > SCALARS && field >= 1 && field <= type - SCALARS;
    };
  }

  private void value() {
    count(++values, limits.values(), "values (entries of samples and locations, and unknown fields)",
        "--max-profile-values");
  }

  static void count(long n, long limit, String what, String flag) {
    if (n > limit) {
      throw overLimit(limit, what, flag);
    }
  }

  static InvalidProfileException overLimit(long limit, String what, String flag) {
    return new InvalidProfileException("raw_profile has more than " + limit + " " + what
        + ", the most this server accepts in one profile (" + flag + ")");
  }
}
