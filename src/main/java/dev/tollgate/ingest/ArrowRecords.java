package dev.tollgate.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the Arrow IPC streams of Parca agents: the v2 {@code WriteArrow} buffer and the v1
 * {@code Write} samples record, for what the index needs (rows, label sets, profile types).
 * Anything that does not decode or lacks a required column is an {@link InvalidProfileException}.
 * Each stream is decoded in its own child allocator bounded by {@code maxDecodedBytes}, so an
 * LZ4 bomb (or a buffer that claims a huge uncompressed length) is refused instead of taking
 * the server's memory.
 */
final class ArrowRecords {
  static final String VERSION_KEY = "parca_write_schema_version";
  static final List<String> V2_COLUMNS = List.of("labels", "stacktrace", "stacktrace_id", "value", "producer",
      "sample_type", "sample_unit", "period_type", "period_unit", "temporality", "period", "duration", "timestamp");
  static final List<String> V1_COLUMNS = List.of("stacktrace_id", "value", "producer", "sample_type", "sample_unit",
      "period_type", "period_unit", "temporality", "period", "duration", "timestamp");
  static final List<String> V1_LOCATION_COLUMNS = List.of("stacktrace_id", "is_complete", "locations");

  private final ArrowMemory memory;
  private final long maxDecodedBytes;
  private final boolean limitIsMemory;
  private final ProfileLimits limits;

  ArrowRecords(ArrowMemory memory, long maxDecodedBytes) {
    this(memory, maxDecodedBytes, false, ProfileLimits.defaults());
  }

  /**
   * @param limitIsMemory true when {@code maxDecodedBytes} is lower than the configured limit
   *     because of the memory the server has: a stream over it is then refused retryably
   * @param limits the work one stream may cause, counted as each batch is loaded and before its
   *     rows are read: rows ({@link ProfileLimits#arrowRows}; locations records:
   *     {@link ProfileLimits#locations}), entries of one dictionary ({@link ProfileLimits#strings}),
   *     and values ({@link ProfileLimits#arrowValues}) - every element of every column, nested list and
   *     dictionary, plus each row times the columns the index reads of it
   */
  ArrowRecords(ArrowMemory memory, long maxDecodedBytes, boolean limitIsMemory, ProfileLimits limits) {
    this.memory = memory;
    this.maxDecodedBytes = maxDecodedBytes;
    this.limitIsMemory = limitIsMemory;
    this.limits = java.util.Objects.requireNonNull(limits, "limits");
  }

  /** What a record stream holds: row count, each label set with its profile types, and the stacktrace ids (v1). */
  record Summary(long rows, Map<SortedMap<String, String>, Set<String>> series, List<byte[]> stacktraceIds,
      Map<SortedMap<String, String>, TimeRange> times, boolean v2) {}

  /** The first and last {@code timestamp} of a label set's rows, in epoch nanoseconds. */
  record TimeRange(long firstNanos, long lastNanos) {
    TimeRange with(long nanos) {
      return new TimeRange(Math.min(firstNanos, nanos), Math.max(lastNanos, nanos));
    }
  }

  /**
   * The stream's {@code parca_write_schema_version} (null when absent), read from its schema
   * message alone; a stream that does not start with a schema is an {@link InvalidProfileException}.
   */
  String version(byte[] ipc, String what) {
    IpcFraming.check(ipc, what);
    try (ArrowMemory.Stream memory = forOneStream();
        ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(ipc), memory.allocator(),
            CommonsCompressionFactory.INSTANCE)) {
      Schema schema = r.getVectorSchemaRoot().getSchema();
      return schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(VERSION_KEY);
    } catch (OutOfMemoryException e) {
      throw tooLarge(what, e);
    } catch (IOException | RuntimeException e) {
      throw new InvalidProfileException(what + " is not a valid Arrow IPC stream: " + e.getMessage(), e);
    }
  }

  /**
   * A samples stream of either version, as Parca's server takes them on both {@code Write} and
   * {@code WriteArrow}: v1 when its schema says so, else checked as v2.
   */
  Summary readSamples(byte[] ipc, String what) {
    return "v1".equals(version(ipc, what)) ? read(ipc, what, "v1", V1_COLUMNS, true)
        : read(ipc, what, "v2", V2_COLUMNS, false);
  }

  Summary readV2(byte[] ipc) {
    return read(ipc, "ipc_buffer", "v2", V2_COLUMNS, false);
  }

  /** The memory of one stream; the reader must be closed before it. */
  private ArrowMemory.Stream forOneStream() {
    return memory.forOneStream("arrow-stream", maxDecodedBytes);
  }

  /**
   * The shared root allocator full with other streams' data, or this stream over a limit the
   * server's memory sets: RESOURCE_EXHAUSTED, which clients retry. This stream over the
   * configured limit: INVALID_ARGUMENT (it will never be accepted). The stream's allocator is
   * closed by now, so whatever the root still holds belongs to other calls.
   */
  private RuntimeException tooLarge(String what, OutOfMemoryException e) {
    BufferAllocator shared = memory.root();
    if (shared.getLimit() - shared.getAllocatedMemory() < maxDecodedBytes) {
      return new ServerCapacityException("the server is decoding too many large Arrow streams at once; retry", e);
    }
    if (limitIsMemory) {
      return new ServerCapacityException(what + " decodes to more than the " + maxDecodedBytes
          + " bytes this server has memory for; retry (the operator can give the server more memory)", e);
    }
    return new InvalidProfileException(what + " decodes to more than " + maxDecodedBytes + " bytes", e);
  }

  /**
   * Checks the v1 {@code Write} locations record: a readable Arrow IPC stream with the columns
   * {@code stacktrace_id}, {@code is_complete} and {@code locations}; returns its row count.
   */
  long readV1Locations(byte[] ipc) {
    IpcFraming.check(ipc, "locations record");
    try (ArrowMemory.Stream memory = forOneStream();
        ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(ipc), memory.allocator(),
            CommonsCompressionFactory.INSTANCE)) {
      Schema schema = r.getVectorSchemaRoot().getSchema();
      for (String c : V1_LOCATION_COLUMNS) {
        if (schema.getFields().stream().noneMatch(f -> f.getName().equals(c))) {
          throw new InvalidProfileException("locations record: column " + c + " is missing");
        }
      }
      long rows = 0;
      long values = 0;
      while (r.loadNextBatch()) {
        rows += r.getVectorSchemaRoot().getRowCount();
        values = counted("locations record", r, rows, limits.locations(), values);
      }
      return rows;
    } catch (InvalidProfileException e) {
      throw e;
    } catch (OutOfMemoryException e) {
      throw tooLarge("locations record", e);
    } catch (IOException | RuntimeException e) {
      throw new InvalidProfileException("locations record is not a valid Arrow IPC stream: " + e.getMessage(), e);
    }
  }

  private Summary read(byte[] ipc, String what, String version, List<String> required, boolean v1) {
    IpcFraming.check(ipc, what);
    try (ArrowMemory.Stream memory = forOneStream();
        ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(ipc), memory.allocator(),
            CommonsCompressionFactory.INSTANCE)) {
      VectorSchemaRoot root = r.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      String got = schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(VERSION_KEY);
      if (!version.equals(got)) {
        throw new InvalidProfileException("schema metadata " + VERSION_KEY + " is " + (got == null ? "missing" : "\"" + got + "\"")
            + ", expected \"" + version + "\"");
      }
      for (String c : required) {
        if (schema.getFields().stream().noneMatch(f -> f.getName().equals(c))) {
          throw new InvalidProfileException("column " + c + " is missing");
        }
      }
      if (v1 && schema.getFields().stream().anyMatch(f -> f.getName().equals("stacktrace")
          || f.getName().equals("labels") && f.getType() instanceof ArrowType.Struct)) {
        throw new InvalidProfileException("schema metadata " + VERSION_KEY + " is \"v1\" but the columns are v2's"
            + " (a labels struct and a stacktrace column)");
      }
      if (!v1 && !(schema.findField("labels").getType() instanceof ArrowType.Struct)) {
        throw new InvalidProfileException("column labels is not a struct");
      }
      long rows = 0;
      long values = 0;
      Map<SortedMap<String, String>, Set<String>> series = new LinkedHashMap<>();
      Map<SortedMap<String, String>, TimeRange> times = new LinkedHashMap<>();
      Set<String> seenIds = new LinkedHashSet<>();
      List<byte[]> ids = new ArrayList<>();
      while (r.loadNextBatch()) {
        int n = root.getRowCount();
        rows += n;
        List<FieldVector> labelColumns = ArrowRows.labelColumns(root, v1);
        // each row reads its labels, the six profile type columns, timestamp and (v1) stacktrace_id
        values = counted(what, r, rows, limits.arrowRows(), values + (long) n * (labelColumns.size() + 8));
        for (int row = 0; row < n; row++) {
          SortedMap<String, String> key = ArrowRows.labels(labelColumns, row, r, v1);
          if (!series.containsKey(key)) {
            LabelSets.requireNoNul(key);
          }
          String type = ArrowRows.profileType(root, row, r);
          series.computeIfAbsent(key, k -> new TreeSet<>()).add(type);
          Long at = ArrowValues.epochNanos(root.getVector("timestamp"), row, r);
          if (at != null && at > 0) {
            times.merge(key, new TimeRange(at, at), (x, y) -> x.with(y.firstNanos()));
          }
          if (v1) {
            byte[] id = ArrowValues.bytes(root.getVector("stacktrace_id"), row, r);
            if (id != null && seenIds.add(java.util.HexFormat.of().formatHex(id))) {
              ids.add(id);
            }
          }
        }
      }
      return new Summary(rows, series, ids, times, !v1);
    } catch (InvalidProfileException e) {
      throw e;
    } catch (OutOfMemoryException e) {
      throw tooLarge(what, e);
    } catch (IOException | RuntimeException e) {
      throw new InvalidProfileException(what + " is not a valid Arrow IPC stream: " + e.getMessage(), e);
    }
  }

  /**
   * {@code values} so far plus those the batch just loaded holds with its dictionaries; refuses
   * the stream when they, or its {@code rows} so far, pass the limits, or a dictionary is too large.
   */
  private long counted(String what, ArrowStreamReader r, long rows, long maxRows, long values) throws IOException {
    if (rows > maxRows) {
      throw new InvalidProfileException(what + " has more than " + maxRows + " rows ("
          + (maxRows == limits.arrowRows() ? "--max-arrow-rows" : "--max-profile-locations") + ")");
    }
    var dictionaries = r.getDictionaryVectors().values();
    if (ArrowCounts.largestDictionary(dictionaries) > limits.strings()) {
      throw new InvalidProfileException(what + " has a dictionary of more than " + limits.strings()
          + " entries (--max-profile-strings)");
    }
    values += ArrowCounts.elements(r.getVectorSchemaRoot().getFieldVectors())
        + ArrowCounts.dictionaryElements(dictionaries);
    if (values > limits.arrowValues()) {
      throw new InvalidProfileException(what + " holds more than " + limits.arrowValues()
          + " values in its columns, lists and dictionaries (--max-arrow-values)");
    }
    return values;
  }

  /** The answer of {@code Write}: an IPC stream with one binary column {@code stacktrace_id}. */
  byte[] stacktraceIdsRecord(List<byte[]> ids) {
    Schema schema = new Schema(List.of(new Field("stacktrace_id", FieldType.notNullable(ArrowType.Binary.INSTANCE), null)));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, memory.root())) {
      VarBinaryVector v = (VarBinaryVector) root.getVector(0);
      v.allocateNew(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        v.setSafe(i, ids.get(i));
      }
      root.setRowCount(ids.size());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        w.start();
        w.writeBatch();
        w.end();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
