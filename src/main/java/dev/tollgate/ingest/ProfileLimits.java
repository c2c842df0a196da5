package dev.tollgate.ingest;

/**
 * How many objects one pprof profile may make the server build, checked while its bytes are
 * scanned and before any protobuf object exists. The byte limits bound what a profile weighs on
 * the wire and inflated; these bound the work: two bytes ({@code 12 00}) are an empty sample,
 * so 256 MiB of inflated bytes can describe 134 million of them. Arrow records ({@link ArrowRecords})
 * have limits of their own for rows ({@code arrowRows}) and values ({@code arrowValues}), because
 * the agent's largest calls hold far more than the largest pprof (a 32 MiB call of 128-frame
 * stacks is about 400,000 rows and 51 million values) and their decoded size is bounded by the
 * decode memory anyway; rows of a v1 locations record are bounded by {@code locations}, one
 * dictionary's entries by {@code strings}.
 *
 * @param samples samples in one profile (default 1,000,000)
 * @param locations locations in one profile, and mappings (default 1,000,000)
 * @param functions functions in one profile (default 1,000,000)
 * @param strings entries of the string table (default 2,000,000)
 * @param values entries inside samples and locations - sample values, location ids, labels,
 *     location lines - and fields the server does not know, in all (default 20,000,000)
 * @param arrowRows rows of one Arrow samples stream (default 10,000,000)
 * @param arrowValues elements of one Arrow stream's columns, nested lists and dictionaries, plus
 *     each row times the columns the index reads of it (default 500,000,000)
 */
public record ProfileLimits(long samples, long locations, long functions, long strings, long values,
    long arrowRows, long arrowValues) {
  public ProfileLimits {
    positive(arrowRows, "arrowRows");
    positive(arrowValues, "arrowValues");
    positive(samples, "samples");
    positive(locations, "locations");
    positive(functions, "functions");
    positive(strings, "strings");
    positive(values, "values");
  }

  /** Arrow streams bounded like pprof profiles: rows by {@code samples}, values by {@code values}. */
  public ProfileLimits(long samples, long locations, long functions, long strings, long values) {
    this(samples, locations, functions, strings, values, samples, values);
  }

  /**
   * Far above real profiles (the largest in the test data has a few thousand samples; a busy
   * parca-agent pprof tens of thousands), far below what exhausts a 1 GiB heap.
   */
  public static ProfileLimits defaults() {
    return new ProfileLimits(1_000_000, 1_000_000, 1_000_000, 2_000_000, 20_000_000, 10_000_000, 500_000_000);
  }

  /**
   * Heap the full protobuf parse of a profile with these counts may take, in bytes: a generous
   * per-object size (object header, fields, list slot), so the decompression budget can hold it
   * before the objects exist.
   */
  static long parseCost(long samples, long locations, long functions, long strings, long values) {
    return samples * 96 + locations * 112 + functions * 80 + strings * 64 + values * 32;
  }

  private static void positive(long v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException("profile limit " + name + " must be positive: " + v);
    }
  }
}
