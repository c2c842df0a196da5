package dev.tollgate.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.ListViewVector;
import org.apache.arrow.vector.complex.RunEndEncodedVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.DictionaryUtility;

/**
 * Arrow IPC streams in the shapes Parca agents send. Arrow Java's stream writer cannot write a
 * dictionary holding a ListView (apache/arrow-java#471: it copies each dictionary and
 * {@code ListViewVector.copyFrom} fails), so {@link #writeStream} serializes schema, dictionary
 * batches and record batch itself, each dictionary once, LZ4_FRAME-compressed.
 */
final class ArrowFixtures {
  static final ArrowType.Int I32 = new ArrowType.Int(32, true);
  static final long LABEL_DICT = 1;
  static final long LOCATION_DICT = 2;

  private ArrowFixtures() {}

  /** Three v2 rows: two of {@code node=n1,comm=app}, one of {@code node=n2,comm=db}; CPU delta samples. */
  static byte[] v2(BufferAllocator a) {
    return v2(a, "v2", true);
  }

  static byte[] v2(BufferAllocator a, String version, boolean withStacktrace) {
    return v2Batches(a, version, withStacktrace, List.of(List.of("n1", "n2", "app", "db")));
  }

  /**
   * A v2 stream of one record batch per entry of {@code labelValues} (node values at 0-1, comm
   * values at 2-3), each after its own dictionaries - later ones replace earlier ones, as a
   * writer does when a batch brings new label values.
   */
  static byte[] v2Batches(BufferAllocator a, String version, boolean withStacktrace, List<List<String>> labelValues) {
    Schema schema = v2Schema(version, withStacktrace, List.of("comm", "node"));
    List<Part> parts = new ArrayList<>();
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      for (List<String> batchLabels : labelValues) {
        parts.add(v2Part(a, schema, withStacktrace, batchLabels, 3,
            Map.of("node", new int[][] {{2, 3}, {0, 1}}, "comm", new int[][] {{2, 3}, {2, 3}}), owned));
      }
      return writeStream(parts, a);
    } finally {
      closeAll(owned);
    }
  }

  /**
   * An agent-sized v2 stream: one record batch of {@code threads} x {@code samplesPerThread} rows,
   * labelled {@code node}, {@code comm=app} and one {@code thread_id} per thread (0, 1, ...), as
   * the agent's per-thread label sets.
   */
  static byte[] v2Threads(BufferAllocator a, String node, int threads, int samplesPerThread) {
    Schema schema = v2Schema("v2", true, List.of("comm", "node", "thread_id"));
    List<String> labelValues = new ArrayList<>(List.of(node, "app"));
    int[] threadEnds = new int[threads];
    int[] threadValues = new int[threads];
    for (int t = 0; t < threads; t++) {
      labelValues.add(String.valueOf(t));
      threadEnds[t] = (t + 1) * samplesPerThread;
      threadValues[t] = 2 + t;
    }
    int rows = threads * samplesPerThread;
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      return writeStream(List.of(v2Part(a, schema, true, labelValues, rows, Map.of(
          "node", new int[][] {{rows}, {0}}, "comm", new int[][] {{rows}, {1}},
          "thread_id", new int[][] {threadEnds, threadValues}), owned)), a);
    } finally {
      closeAll(owned);
    }
  }

  private static Schema v2Schema(String version, boolean withStacktrace, List<String> labelNames) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("labels", FieldType.nullable(ArrowType.Struct.INSTANCE),
        labelNames.stream().map(ArrowFixtures::reeDictField).toList()));
    if (withStacktrace) {
      fields.add(new Field("stacktrace", FieldType.nullable(ArrowType.ListView.INSTANCE), List.of(
          new Field("item", new FieldType(true, I32, new DictionaryEncoding(LOCATION_DICT, false, I32)), null))));
    }
    fields.add(new Field("stacktrace_id", new FieldType(false, new ArrowType.FixedSizeBinary(16), null,
        Map.of("ARROW:extension:name", "arrow.uuid", "ARROW:extension:metadata", "")), null));
    fields.add(new Field("value", FieldType.notNullable(new ArrowType.Int(64, true)), null));
    for (String c : List.of("producer", "sample_type", "sample_unit", "period_type", "period_unit", "temporality")) {
      fields.add(reeField(c, ArrowType.Utf8.INSTANCE));
    }
    fields.add(reeField("period", new ArrowType.Int(64, true)));
    fields.add(reeField("duration", new ArrowType.Int(64, false)));
    fields.add(new Field("timestamp", FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")), null));
    return new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, version));
  }

  /**
   * One record batch of {@code rows} CPU delta samples and its dictionaries; each label column is
   * run-end encoded as {@code labelRuns.get(name)} = {run ends, indexes into labelValues}.
   */
  private static Part v2Part(BufferAllocator a, Schema schema, boolean withStacktrace, List<String> labelValues,
      int rows, Map<String, int[][]> labelRuns, List<AutoCloseable> owned) {
    VarCharVector labelDict = new VarCharVector(
        new Field("label_values", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null), a);
    owned.add(labelDict);
    setStrings(labelDict, labelValues.toArray(String[]::new));
    StructVector locations = locationDictionary(a);
    owned.add(locations);
    // a stream carries only the dictionaries its schema defines (a stray one is invalid IPC)
    Map<Long, Dictionary> dicts = withStacktrace ? Map.of(
        LABEL_DICT, new Dictionary(labelDict, new DictionaryEncoding(LABEL_DICT, false, I32)),
        LOCATION_DICT, new Dictionary(locations, new DictionaryEncoding(LOCATION_DICT, false, I32)))
        : Map.of(LABEL_DICT, new Dictionary(labelDict, new DictionaryEncoding(LABEL_DICT, false, I32)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
    owned.add(root);
    StructVector labels = (StructVector) root.getVector("labels");
    labels.allocateNew();
    for (int i = 0; i < rows; i++) {
      labels.setIndexDefined(i);
    }
    labels.setValueCount(rows);
    labelRuns.forEach((name, runs) -> reeInts((RunEndEncodedVector) labels.getChild(name), rows, runs[0], runs[1]));
    if (withStacktrace) {
      ListViewVector st = (ListViewVector) root.getVector("stacktrace");
      st.allocateNew();
      IntVector items = (IntVector) st.getDataVector();
      int[][] stacks = {{0, 1}, {1}, {0}};
      int off = 0;
      for (int i = 0; i < rows; i++) {
        st.startNewValue(i);
        for (int loc : stacks[i % stacks.length]) {
          items.setSafe(off++, loc);
        }
        st.endValue(i, stacks[i % stacks.length].length);
      }
      items.setValueCount(off);
      st.setValueCount(rows);
    }
    FixedSizeBinaryVector ids = (FixedSizeBinaryVector) root.getVector("stacktrace_id");
    ids.allocateNew(rows);
    BigIntVector values = (BigIntVector) root.getVector("value");
    values.allocateNew(rows);
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector("timestamp");
    ts.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      ids.set(i, java.nio.ByteBuffer.allocate(16).putInt(12, i + 1).array());
      values.set(i, 10L * (i + 1));
      ts.set(i, 1_700_000_000_000_000_000L + i);
    }
    reeStrings(root, "producer", rows, "parca_agent");
    reeStrings(root, "sample_type", rows, "samples");
    reeStrings(root, "sample_unit", rows, "count");
    reeStrings(root, "period_type", rows, "cpu");
    reeStrings(root, "period_unit", rows, "nanoseconds");
    reeStrings(root, "temporality", rows, "delta");
    RunEndEncodedVector period = (RunEndEncodedVector) root.getVector("period");
    reeRunEnds(period, rows);
    BigIntVector pv = (BigIntVector) period.getValuesVector();
    pv.allocateNew(1);
    pv.set(0, 52_631_578L);
    pv.setValueCount(1);
    RunEndEncodedVector duration = (RunEndEncodedVector) root.getVector("duration");
    reeRunEnds(duration, rows);
    UInt8Vector dv = (UInt8Vector) duration.getValuesVector();
    dv.allocateNew(1);
    dv.set(0, 5_000_000_000L);
    dv.setValueCount(1);
    root.setRowCount(rows);
    return new Part(root, dicts);
  }

  private static void closeAll(List<AutoCloseable> owned) {
    for (AutoCloseable c : owned.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Location{address, frame_type, mapping_file, mapping_build_id, lines: ListView<int64>}: a dictionary holding a ListView. */
  private static StructVector locationDictionary(BufferAllocator a) {
    Field lines = new Field("lines", FieldType.nullable(ArrowType.ListView.INSTANCE),
        List.of(new Field("item", FieldType.nullable(new ArrowType.Int(64, true)), null)));
    Field location = new Field("locations", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
        new Field("address", FieldType.nullable(new ArrowType.Int(64, false)), null),
        new Field("frame_type", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
        new Field("mapping_file", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
        new Field("mapping_build_id", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
        lines));
    StructVector s = (StructVector) location.createVector(a);
    s.allocateNew();
    UInt8Vector addr = (UInt8Vector) s.getChild("address");
    ListViewVector lv = (ListViewVector) s.getChild("lines");
    BigIntVector lineItems = (BigIntVector) lv.getDataVector();
    int off = 0;
    for (int i = 0; i < 2; i++) {
      s.setIndexDefined(i);
      addr.setSafe(i, 0x401000L + i * 16);
      ((VarCharVector) s.getChild("frame_type")).setSafe(i, "native".getBytes(StandardCharsets.UTF_8));
      ((VarCharVector) s.getChild("mapping_file")).setSafe(i, "/usr/bin/app".getBytes(StandardCharsets.UTF_8));
      ((VarCharVector) s.getChild("mapping_build_id")).setSafe(i, "abcdef".getBytes(StandardCharsets.UTF_8));
      lv.startNewValue(i);
      lineItems.setSafe(off++, 10 + i);
      lv.endValue(i, 1);
    }
    lineItems.setValueCount(off);
    for (String c : List.of("address", "frame_type", "mapping_file", "mapping_build_id", "lines")) {
      s.getChild(c).setValueCount(2);
    }
    s.setValueCount(2);
    return s;
  }

  private static Field reeDictField(String name) {
    return new Field(name, FieldType.nullable(ArrowType.RunEndEncoded.INSTANCE), List.of(
        new Field("run_ends", FieldType.notNullable(I32), null),
        new Field("values", new FieldType(true, I32, new DictionaryEncoding(LABEL_DICT, false, I32)), null)));
  }

  private static Field reeField(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(ArrowType.RunEndEncoded.INSTANCE), List.of(
        new Field("run_ends", FieldType.notNullable(I32), null),
        new Field("values", FieldType.nullable(type), null)));
  }

  private static void reeRunEnds(RunEndEncodedVector v, int rows) {
    IntVector ends = (IntVector) v.getRunEndsVector();
    ends.allocateNew(1);
    ends.set(0, rows);
    ends.setValueCount(1);
    v.setValueCount(rows);
  }

  private static void reeInts(RunEndEncodedVector v, int rows, int[] runEnds, int[] values) {
    IntVector ends = (IntVector) v.getRunEndsVector();
    IntVector vals = (IntVector) v.getValuesVector();
    ends.allocateNew(runEnds.length);
    vals.allocateNew(values.length);
    for (int i = 0; i < runEnds.length; i++) {
      ends.set(i, runEnds[i]);
      vals.set(i, values[i]);
    }
    ends.setValueCount(runEnds.length);
    vals.setValueCount(values.length);
    v.setValueCount(rows);
  }

  private static void reeStrings(VectorSchemaRoot root, String column, int rows, String value) {
    RunEndEncodedVector v = (RunEndEncodedVector) root.getVector(column);
    reeRunEnds(v, rows);
    setStrings((VarCharVector) v.getValuesVector(), value);
  }

  static void setStrings(VarCharVector v, String... values) {
    v.allocateNew();
    for (int i = 0; i < values.length; i++) {
      v.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(values.length);
  }

  /** One record batch and the dictionaries written just before it. */
  record Part(VectorSchemaRoot root, Map<Long, Dictionary> dicts) {}

  static byte[] writeStream(VectorSchemaRoot root, Map<Long, Dictionary> dicts, BufferAllocator a) {
    return writeStream(List.of(new Part(root, dicts)), a);
  }

  /** Schema, then per part its dictionaries and record batch, then end-of-stream, bodies LZ4_FRAME-compressed. */
  static byte[] writeStream(List<Part> parts, BufferAllocator a) {
    return writeStream(parts, CommonsCompressionFactory.INSTANCE.createCodec(CompressionUtil.CodecType.LZ4_FRAME));
  }

  /** As above, compressed by {@code codec} (e.g. {@link FastLz4FrameCodec} for the largest fixtures). */
  static byte[] writeStream(List<Part> parts, CompressionCodec codec) {
    VectorSchemaRoot first = parts.getFirst().root();
    DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();
    parts.getFirst().dicts().values().forEach(provider::put);
    List<Field> messageFields = new ArrayList<>();
    for (Field f : first.getSchema().getFields()) {
      messageFields.add(DictionaryUtility.toMessageFormat(f, provider, new HashSet<>()));
    }
    Schema messageSchema = new Schema(messageFields, first.getSchema().getCustomMetadata());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    IpcOption option = IpcOption.DEFAULT;
    try {
      WriteChannel ch = new WriteChannel(Channels.newChannel(out));
      MessageSerializer.serialize(ch, messageSchema, option);
      for (Part part : parts) {
        for (Dictionary d : part.dicts().values()) {
          FieldVector v = d.getVector();
          // not closed: closing the root would free the dictionary vector, which the caller owns
          VectorSchemaRoot dictRoot = new VectorSchemaRoot(List.of(v.getField()), List.of(v), v.getValueCount());
          ArrowRecordBatch batch = new VectorUnloader(dictRoot, true, codec, true).getRecordBatch();
          try (ArrowDictionaryBatch db = new ArrowDictionaryBatch(d.getEncoding().getId(), batch, false)) {
            MessageSerializer.serialize(ch, db, option);
          }
        }
        try (ArrowRecordBatch batch = new VectorUnloader(part.root(), true, codec, true).getRecordBatch()) {
          MessageSerializer.serialize(ch, batch, option);
        }
      }
      ArrowStreamWriter.writeEndOfStream(ch, option);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * An LZ4 bomb in the v2 schema's names: {@code rows} zeros in the {@code value} column, which
   * compress to a few bytes per thousand rows, and the other required columns present but empty.
   */
  static byte[] v2ZerosBomb(BufferAllocator a, int rows) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("value", FieldType.notNullable(new ArrowType.Int(64, true)), null));
    fields.add(new Field("labels", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of()));
    for (String c : ArrowRecords.V2_COLUMNS) {
      if (!c.equals("value") && !c.equals("labels")) {
        fields.add(new Field(c, FieldType.nullable(new ArrowType.Int(64, true)), null));
      }
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, "v2")), a)) {
      BigIntVector value = (BigIntVector) root.getVector("value");
      value.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        value.set(i, 0);
      }
      value.setValueCount(rows);
      root.setRowCount(rows);
      return writeStream(root, Map.of(), a);
    }
  }

  /**
   * A v2 record of {@code rows} rows that takes a few bytes whatever {@code rows}: no labels, every
   * other column run-end encoded as one run, and a {@code stacktrace} list column whose first row
   * holds {@code stackLength} location indexes (zeros, which LZ4 shrinks), the others none.
   */
  static byte[] v2TinyRows(BufferAllocator a, int rows, int stackLength) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("labels", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of()));
    fields.add(new Field("stacktrace", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(new Field("item", FieldType.notNullable(I32), null))));
    for (String c : ArrowRecords.V2_COLUMNS) {
      if (!c.equals("labels") && !c.equals("stacktrace")) {
        fields.add(reeField(c, c.equals("value") || c.equals("period") || c.equals("duration")
            || c.equals("timestamp") ? new ArrowType.Int(64, true) : ArrowType.Utf8.INSTANCE));
      }
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, "v2")), a)) {
      StructVector labels = (StructVector) root.getVector("labels");
      labels.allocateNew();
      labels.setValueCount(rows);
      ListVector st = (ListVector) root.getVector("stacktrace");
      st.allocateNew();
      IntVector items = (IntVector) st.getDataVector();
      st.startNewValue(0);
      for (int i = 0; i < stackLength; i++) {
        items.setSafe(i, 0);
      }
      st.endValue(0, stackLength);
      items.setValueCount(stackLength);
      st.setValueCount(rows);
      for (FieldVector v : root.getFieldVectors()) {
        if (v instanceof RunEndEncodedVector ree) {
          reeRunEnds(ree, rows);
          if (ree.getValuesVector() instanceof VarCharVector chars) {
            setStrings(chars, "x");
          } else {
            BigIntVector longs = (BigIntVector) ree.getValuesVector();
            longs.allocateNew(1);
            longs.set(0, 1);
            longs.setValueCount(1);
          }
        }
      }
      root.setRowCount(rows);
      return writeStream(root, Map.of(), a);
    }
  }

  /** A v1 samples record: {@code labels.node}, 16-byte {@code stacktrace_id}s (two distinct), REE columns. */
  static byte[] v1Samples(BufferAllocator a) {
    int rows = 3;
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("labels.node", FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
    fields.add(new Field("stacktrace_id", FieldType.notNullable(ArrowType.Binary.INSTANCE), null));
    fields.add(new Field("value", FieldType.notNullable(new ArrowType.Int(64, true)), null));
    for (String c : List.of("producer", "sample_type", "sample_unit", "period_type", "period_unit", "temporality")) {
      fields.add(reeField(c, ArrowType.Utf8.INSTANCE));
    }
    fields.add(reeField("period", new ArrowType.Int(64, true)));
    fields.add(reeField("duration", new ArrowType.Int(64, true)));
    fields.add(reeField("timestamp", new ArrowType.Int(64, true)));
    Schema schema = new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, "v1"));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
      setStrings((VarCharVector) root.getVector("labels.node"), "n1", "n1", "n2");
      VarBinaryVector ids = (VarBinaryVector) root.getVector("stacktrace_id");
      ids.allocateNew();
      BigIntVector values = (BigIntVector) root.getVector("value");
      values.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        byte[] id = new byte[16];
        id[0] = (byte) (i % 2 + 1);
        ids.setSafe(i, id);
        values.set(i, i + 1);
      }
      ids.setValueCount(rows);
      for (String c : List.of("producer", "sample_type", "sample_unit", "period_type", "period_unit", "temporality")) {
        reeStrings(root, c, rows, switch (c) {
          case "producer" -> "parca_agent";
          case "sample_type" -> "samples";
          case "sample_unit" -> "count";
          case "period_type" -> "cpu";
          case "period_unit" -> "nanoseconds";
          default -> "delta";
        });
      }
      for (String c : List.of("period", "duration", "timestamp")) {
        RunEndEncodedVector v = (RunEndEncodedVector) root.getVector(c);
        reeRunEnds(v, rows);
        BigIntVector bv = (BigIntVector) v.getValuesVector();
        bv.allocateNew(1);
        bv.set(0, 1);
        bv.setValueCount(1);
      }
      root.setRowCount(rows);
      return writeStream(root, Map.of(), a);
    }
  }

  /** A v1 locations record: {@code stacktrace_id} and {@code is_complete}. */
  /** The v1 locations record: one row per stacktrace id, each with {@code depth} frame addresses. */
  static byte[] v1Locations(BufferAllocator a) {
    return v1Locations(a, true);
  }

  static byte[] v1Locations(BufferAllocator a, boolean withLocationsColumn) {
    List<Field> fields = new ArrayList<>(List.of(
        new Field("stacktrace_id", FieldType.notNullable(ArrowType.Binary.INSTANCE), null),
        new Field("is_complete", FieldType.notNullable(ArrowType.Bool.INSTANCE), null)));
    if (withLocationsColumn) {
      Field address = new Field("address", FieldType.notNullable(new ArrowType.Int(64, false)), null);
      Field location = new Field("item", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(address));
      fields.add(new Field("locations", FieldType.nullable(ArrowType.List.INSTANCE), List.of(location)));
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), a)) {
      VarBinaryVector ids = (VarBinaryVector) root.getVector(0);
      ids.allocateNew();
      BitVector complete = (BitVector) root.getVector(1);
      complete.allocateNew(2);
      for (int i = 0; i < 2; i++) {
        byte[] id = new byte[16];
        id[0] = (byte) (i + 1);
        ids.setSafe(i, id);
        complete.set(i, 1);
      }
      ids.setValueCount(2);
      complete.setValueCount(2);
      if (withLocationsColumn) {
        ListVector locations = (ListVector) root.getVector("locations");
        locations.allocateNew();
        StructVector frames = (StructVector) locations.getDataVector();
        UInt8Vector addresses = (UInt8Vector) frames.getChild("address");
        int frame = 0;
        for (int i = 0; i < 2; i++) {
          locations.startNewValue(i);
          for (int d = 0; d <= i; d++) {
            frames.setIndexDefined(frame);
            addresses.setSafe(frame, 0x401000L + 0x10L * frame);
            frame++;
          }
          locations.endValue(i, i + 1);
        }
        addresses.setValueCount(frame);
        frames.setValueCount(frame);
        locations.setValueCount(2);
      }
      root.setRowCount(2);
      return writeStream(root, Map.of(), a);
    }
  }
}
