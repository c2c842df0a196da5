package dev.tollgate.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.UuidVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.ListViewVector;
import org.apache.arrow.vector.complex.RunEndEncodedVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.extension.UuidType;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow records in exactly the shapes parca-agent writes (reporter/arrow_v2.go and arrow.go, and
 * the v2 record Parca's normalizer test mirrors): uint32 dictionary indexes, one dictionary per
 * label column, run-end-encoded label and metadata columns, {@code stacktrace} as a ListView of
 * dictionary-encoded Location structs (identical stacks share one offset/size, as the agent
 * deduplicates), {@code lines} a ListView of Line structs whose {@code function} is a dictionary of
 * Function structs ({@code system_name} StringView, {@code filename} a dictionary),
 * {@code stacktrace_id} the {@code arrow.uuid} extension, run-end-encoded {@code period} (int64)
 * and {@code duration} (uint64), {@code timestamp} timestamp[ns, UTC], metadata
 * {@code parca_write_schema_version=v2}. The v1 pair: samples with {@code labels.<name>} and
 * binary dictionaries, and the locations record with a List of Location structs carrying
 * mapping start/limit/offset and flat {@code function_*} line columns.
 */
public final class AgentArrowFixtures {
  static final ArrowType.Int U32 = new ArrowType.Int(32, false);
  static final ArrowType.Int I32 = new ArrowType.Int(32, true);
  static final ArrowType.Int U64 = new ArrowType.Int(64, false);
  static final ArrowType.Int I64 = new ArrowType.Int(64, true);
  static final long LOCATIONS = 1;
  private static final long FUNCTIONS = 2;
  private static final long FILENAMES = 3;
  private static final long FRAME_TYPES = 4;
  private static final long MAPPING_FILES = 5;
  private static final long BUILD_IDS = 6;
  static final long FIRST_LABEL = 10;

  private AgentArrowFixtures() {}

  /** A function at a line, as the agent sends a symbolized frame's line. */
  public record Fn(String systemName, String filename, long startLine, long line) {}

  /** A location: address, frame type, mapping (file, build id, may be null) and its lines (none: unsymbolized). */
  public record Loc(long address, String frameType, String mappingFile, String buildId, long mappingStart,
      long mappingLimit, long mappingOffset, List<Fn> lines) {
    public Loc(long address, String frameType, String mappingFile, String buildId, List<Fn> lines) {
      this(address, frameType, mappingFile, buildId, 0, 0, 0, lines);
    }
  }

  /** One sample row: label set, stack (leaf first, as locations), value, its type, and time. */
  public record Row(Map<String, String> labels, List<Loc> stack, long value, String sampleType, String sampleUnit,
      String periodType, String periodUnit, long timestampNanos) {
    public static Row cpu(Map<String, String> labels, List<Loc> stack, long value, long timestampNanos) {
      return new Row(labels, stack, value, "samples", "count", "cpu", "nanoseconds", timestampNanos);
    }

    public static Row offCpu(Map<String, String> labels, List<Loc> stack, long value, long timestampNanos) {
      return new Row(labels, stack, value, "wallclock", "nanoseconds", "samples", "count", timestampNanos);
    }

    Row later(long nanos) {
      return new Row(labels, stack, value, sampleType, sampleUnit, periodType, periodUnit, timestampNanos + nanos);
    }
  }

  /**
   * {@code rows} sampled {@code nanos} later: the agent's next call with the same stacks (every call
   * carries its own sample times; the same bytes twice are a retry, which the server stores once).
   */
  public static List<Row> later(List<Row> rows, long nanos) {
    return rows.stream().map(r -> r.later(nanos)).toList();
  }

  public static final long PERIOD = 52_631_578L;
  public static final long DURATION = 5_000_000_000L;
  public static final long T0 = 1_700_000_000_000_000_000L;

  /**
   * The standard agent scenario, with the unsymbolized native leaf at {@code nativeAddress} in the
   * ELF of {@code buildId}: {@code comm=app,node=n1,thread_id=1} has CPU rows [native leaf, main]
   * x2 (value 1 each), [do_syscall_64 (kernel), main] x1; {@code comm=db,node=n1,thread_id=2} has
   * CPU rows [handle_request with inlined helper (python)] value 3 and [native leaf, main] value 1,
   * and one off-CPU (wallclock) row of the python stack, value 5,000,000.
   */
  public static List<Row> scenario(long nativeAddress, String buildId) {
    Loc leaf = new Loc(nativeAddress, "native", "/usr/bin/app", buildId, List.of());
    Loc main = new Loc(0x2000, "native", "/usr/bin/app", buildId, List.of(new Fn("main", "app.c", 10, 12)));
    Loc kernel = new Loc(0xffffffff81000000L, "kernel", "[kernel.kallsyms]", null,
        List.of(new Fn("do_syscall_64", null, 0, 0)));
    Loc python = new Loc(0, "python", null, null,
        List.of(new Fn("inlined_helper", "server.py", 50, 51), new Fn("handle_request", "server.py", 40, 42)));
    Map<String, String> app = Map.of("node", "n1", "comm", "app", "thread_id", "1");
    Map<String, String> db = Map.of("node", "n1", "comm", "db", "thread_id", "2");
    return List.of(
        Row.cpu(app, List.of(leaf, main), 1, T0 + 3000),
        Row.cpu(app, List.of(leaf, main), 1, T0 + 1000),
        Row.cpu(app, List.of(kernel, main), 1, T0 + 2000),
        Row.cpu(db, List.of(python), 3, T0 + 4000),
        Row.cpu(db, List.of(leaf, main), 1, T0 + 5000),
        Row.offCpu(db, List.of(python), 5_000_000, T0 + 6000));
  }

  /**
   * An agent-sized call: {@code threads} label sets ({@code node}, {@code comm=app}, {@code
   * thread_id} 0, 1, ...) of {@code samplesPerThread} CPU rows each, every row a stack of {@code
   * depth} frames drawn (seeded, so the same every time) from 400 distinct locations: half native
   * frames the agent symbolized, half unsymbolized native addresses.
   */
  public static List<Row> agentSized(String node, int threads, int samplesPerThread, int depth) {
    java.util.Random random = new java.util.Random(42);
    List<Loc> pool = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      pool.add(i % 2 == 0
          ? new Loc(0x400000L + 0x40L * i, "native", "/usr/lib/libapp.so", "feedface" + i % 7, List.of(
              new Fn("fn_" + i, "src/file_" + i % 13 + ".c", i, i + 3)))
          : new Loc(0x7f0000000000L + 0x40L * i, "native", "/usr/bin/app", "beefcafe" + i % 5, List.of()));
    }
    List<Row> rows = new ArrayList<>(threads * samplesPerThread);
    for (int t = 0; t < threads; t++) {
      Map<String, String> labels = Map.of("node", node, "comm", "app", "thread_id", String.valueOf(t));
      for (int s = 0; s < samplesPerThread; s++) {
        List<Loc> stack = new ArrayList<>(depth);
        for (int d = 0; d < depth; d++) {
          stack.add(pool.get(random.nextInt(pool.size())));
        }
        rows.add(Row.cpu(labels, stack, 1, T0 + (long) t * samplesPerThread + s));
      }
    }
    return rows;
  }

  // ---------------------------------------------------------------- v2

  /** A v2 {@code WriteArrow} buffer of {@code rows}, one record batch, LZ4_FRAME-compressed. */
  public static byte[] v2(BufferAllocator a, List<Row> rows) {
    return v2Batches(a, List.of(rows));
  }

  /**
   * A v2 buffer of one record batch per entry of {@code batches}, each after its own dictionaries
   * (which replace the previous batch's, as the agent's writer does), all in one schema.
   */
  public static byte[] v2Batches(BufferAllocator a, List<List<Row>> batches) {
    return v2Batches(a, batches, null);
  }

  /** As above, compressed by {@code codec}; null: commons-compress's LZ4_FRAME, as everywhere else. */
  public static byte[] v2Batches(BufferAllocator a, List<List<Row>> batches,
      org.apache.arrow.vector.compression.CompressionCodec codec) {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      List<String> labelNames = new ArrayList<>(new TreeSet<>(batches.stream().flatMap(List::stream)
          .flatMap(r -> r.labels().keySet().stream()).toList()));
      List<ArrowFixtures.Part> parts = new ArrayList<>();
      for (List<Row> rows : batches) {
        parts.add(v2Part(a, labelNames, rows, owned));
      }
      return codec == null ? ArrowFixtures.writeStream(parts, a) : ArrowFixtures.writeStream(parts, codec);
    } finally {
      closeAll(owned);
    }
  }

  /** The agent's v2 schema with one run-end-encoded dictionary column per label name, in this order. */
  static Schema v2Schema(List<String> labelNames) {
    List<Field> fields = new ArrayList<>();
    List<Field> labelFields = new ArrayList<>();
    for (int i = 0; i < labelNames.size(); i++) {
      labelFields.add(reeField(labelNames.get(i), new FieldType(true, U32,
          new DictionaryEncoding(FIRST_LABEL + i, false, U32))));
    }
    fields.add(new Field("labels", FieldType.notNullable(ArrowType.Struct.INSTANCE), labelFields));
    fields.add(new Field("stacktrace", FieldType.notNullable(ArrowType.ListView.INSTANCE), List.of(
        new Field("item", new FieldType(true, U32, new DictionaryEncoding(LOCATIONS, false, U32)), null))));
    fields.add(new Field("stacktrace_id", FieldType.notNullable(UuidType.INSTANCE), null));
    fields.add(new Field("value", FieldType.notNullable(I64), null));
    for (String c : List.of("producer", "sample_type", "sample_unit", "period_type", "period_unit", "temporality")) {
      fields.add(reeField(c, FieldType.nullable(ArrowType.Utf8.INSTANCE)));
    }
    fields.add(reeField("period", FieldType.nullable(I64)));
    fields.add(reeField("duration", FieldType.nullable(U64)));
    fields.add(new Field("timestamp", FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
        null));
    return new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, "v2"));
  }

  private static ArrowFixtures.Part v2Part(BufferAllocator a, List<String> labelNames, List<Row> rows,
      List<AutoCloseable> owned) {
    {
      Map<Long, Dictionary> dicts = new LinkedHashMap<>();
      Schema schema = v2Schema(labelNames);
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
      owned.add(root);
      int n = rows.size();

      StructVector labels = (StructVector) root.getVector("labels");
      labels.allocateNew();
      for (int i = 0; i < n; i++) {
        labels.setIndexDefined(i);
      }
      labels.setValueCount(n);
      for (int i = 0; i < labelNames.size(); i++) {
        String name = labelNames.get(i);
        VarCharVector dict = new VarCharVector("label_" + name, a);
        owned.add(dict);
        reeDict((RunEndEncodedVector) labels.getChild(name), rows.stream().map(r -> r.labels().get(name)).toList(),
            dict);
        dicts.put(FIRST_LABEL + i, new Dictionary(dict, new DictionaryEncoding(FIRST_LABEL + i, false, U32)));
      }

      // locations and their lines, each distinct location once, in a dictionary
      List<Loc> locs = new ArrayList<>();
      Map<Loc, Integer> locIndex = new HashMap<>();
      for (Row r : rows) {
        for (Loc l : r.stack()) {
          locIndex.computeIfAbsent(l, k -> {
            locs.add(k);
            return locs.size() - 1;
          });
        }
      }
      ListViewVector st = (ListViewVector) root.getVector("stacktrace");
      st.setInitialCapacity(n); // the views are written into the buffers below, which do not grow
      st.allocateNew();
      UInt4Vector items = (UInt4Vector) st.getDataVector();
      Map<List<Loc>, int[]> seen = new HashMap<>();
      int off = 0;
      int[][] views = new int[n][];
      for (int i = 0; i < n; i++) {
        List<Loc> stack = rows.get(i).stack();
        int[] at = seen.get(stack);
        if (at == null) {
          at = new int[] {off, stack.size()};
          for (Loc l : stack) {
            items.setSafe(off++, locIndex.get(l));
          }
          seen.put(stack, at);
        }
        views[i] = at;
      }
      items.setValueCount(off);
      for (int i = 0; i < n; i++) {
        // into the buffers: ListViewVector's setters check each view against the buffers and do not grow them
        st.getOffsetBuffer().setInt(4L * i, views[i][0]);
        st.getSizeBuffer().setInt(4L * i, views[i][1]);
        org.apache.arrow.vector.BitVectorHelper.setBit(st.getValidityBuffer(), i);
      }
      st.setValueCount(n);
      locationDictionaries(a, locs, dicts, owned);

      UuidVector ids = (UuidVector) root.getVector("stacktrace_id");
      ids.allocateNew(n);
      BigIntVector values = (BigIntVector) root.getVector("value");
      values.allocateNew(n);
      TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector("timestamp");
      ts.allocateNew(n);
      for (int i = 0; i < n; i++) {
        List<Loc> stack = rows.get(i).stack();
        ids.setSafe(i, java.nio.ByteBuffer.allocate(16).putInt(0, stack.hashCode()).putInt(12, stack.size()).array());
        values.set(i, rows.get(i).value());
        ts.set(i, rows.get(i).timestampNanos());
      }
      ids.setValueCount(n);
      values.setValueCount(n);
      ts.setValueCount(n);
      reeStrings(root, "producer", rows, r -> "parca_agent");
      reeStrings(root, "sample_type", rows, Row::sampleType);
      reeStrings(root, "sample_unit", rows, Row::sampleUnit);
      reeStrings(root, "period_type", rows, Row::periodType);
      reeStrings(root, "period_unit", rows, Row::periodUnit);
      reeStrings(root, "temporality", rows, r -> "delta");
      reeLongs((RunEndEncodedVector) root.getVector("period"), rows.stream().map(r -> PERIOD).toList());
      reeLongs((RunEndEncodedVector) root.getVector("duration"), rows.stream().map(r -> DURATION).toList());
      root.setRowCount(n);
      return new ArrowFixtures.Part(root, dicts);
    }
  }

  /**
   * Location{address uint64, frame_type, mapping_file, mapping_build_id (dictionaries of utf8),
   * lines ListView<Line{line uint64, column uint64, function dictionary of
   * Function{system_name StringView, filename dictionary, start_line uint64}}>}.
   */
  static void locationDictionaries(BufferAllocator a, List<Loc> locs, Map<Long, Dictionary> dicts,
      List<AutoCloseable> owned) {
    Field function = new Field("function", new FieldType(false, U32, new DictionaryEncoding(FUNCTIONS, false, U32)),
        null);
    Field line = new Field("item", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
        new Field("line", FieldType.notNullable(U64), null),
        new Field("column", FieldType.notNullable(U64), null),
        function));
    Field location = new Field("locations", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
        new Field("address", FieldType.notNullable(U64), null),
        new Field("frame_type", new FieldType(true, U32, new DictionaryEncoding(FRAME_TYPES, false, U32)), null),
        new Field("mapping_file", new FieldType(true, U32, new DictionaryEncoding(MAPPING_FILES, false, U32)), null),
        new Field("mapping_build_id", new FieldType(true, U32, new DictionaryEncoding(BUILD_IDS, false, U32)), null),
        new Field("lines", FieldType.nullable(ArrowType.ListView.INSTANCE), List.of(line))));
    StructVector s = (StructVector) location.createVector(a);
    owned.add(s);
    s.allocateNew();
    Strings frameTypes = new Strings();
    Strings files = new Strings();
    Strings buildIds = new Strings();
    Strings filenames = new Strings();
    List<Fn> fns = new ArrayList<>();
    Map<List<Object>, Integer> fnIndex = new HashMap<>();
    UInt8Vector address = (UInt8Vector) s.getChild("address");
    ListViewVector lines = (ListViewVector) s.getChild("lines");
    lines.setInitialCapacity(locs.size()); // setOffset and setSize do not grow the buffers
    lines.allocateNew();
    StructVector lineItems = (StructVector) lines.getDataVector();
    lineItems.allocateNew();
    int lineOff = 0;
    int[][] lineViews = new int[locs.size()][];
    for (int i = 0; i < locs.size(); i++) {
      Loc l = locs.get(i);
      s.setIndexDefined(i);
      address.setSafe(i, l.address());
      frameTypes.set((UInt4Vector) s.getChild("frame_type"), i, l.frameType());
      files.set((UInt4Vector) s.getChild("mapping_file"), i, l.mappingFile());
      buildIds.set((UInt4Vector) s.getChild("mapping_build_id"), i, l.buildId());
      lineViews[i] = new int[] {lineOff, l.lines().size()};
      for (Fn fn : l.lines()) {
        lineItems.setIndexDefined(lineOff);
        ((UInt8Vector) lineItems.getChild("line")).setSafe(lineOff, fn.line());
        ((UInt8Vector) lineItems.getChild("column")).setSafe(lineOff, 0);
        List<Object> key = java.util.Arrays.asList(fn.systemName(), fn.filename(), fn.startLine());
        int f = fnIndex.computeIfAbsent(key, k -> {
          fns.add(fn);
          return fns.size() - 1;
        });
        ((UInt4Vector) lineItems.getChild("function")).setSafe(lineOff, f);
        lineOff++;
      }
    }
    for (String c : List.of("line", "column", "function")) {
      lineItems.getChild(c).setValueCount(lineOff);
    }
    lineItems.setValueCount(lineOff);
    for (int i = 0; i < locs.size(); i++) {
      // into the buffers: ListViewVector's setters check each view against the buffers and do not grow them
      lines.getOffsetBuffer().setInt(4L * i, lineViews[i][0]);
      lines.getSizeBuffer().setInt(4L * i, lineViews[i][1]);
      org.apache.arrow.vector.BitVectorHelper.setBit(lines.getValidityBuffer(), i);
    }
    for (String c : List.of("address", "frame_type", "mapping_file", "mapping_build_id", "lines")) {
      s.getChild(c).setValueCount(locs.size());
    }
    s.setValueCount(locs.size());

    Field functionStruct = new Field("functions", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
        new Field("system_name", FieldType.nullable(ArrowType.Utf8View.INSTANCE), null),
        new Field("filename", new FieldType(true, U32, new DictionaryEncoding(FILENAMES, false, U32)), null),
        new Field("start_line", FieldType.notNullable(U64), null)));
    StructVector f = (StructVector) functionStruct.createVector(a);
    owned.add(f);
    f.allocateNew();
    ViewVarCharVector systemNames = (ViewVarCharVector) f.getChild("system_name");
    systemNames.allocateNew();
    for (int i = 0; i < fns.size(); i++) {
      Fn fn = fns.get(i);
      f.setIndexDefined(i);
      if (fn.systemName() == null) {
        systemNames.setNull(i);
      } else {
        systemNames.setSafe(i, fn.systemName().getBytes(StandardCharsets.UTF_8));
      }
      filenames.set((UInt4Vector) f.getChild("filename"), i, fn.filename());
      ((UInt8Vector) f.getChild("start_line")).setSafe(i, fn.startLine());
    }
    for (String c : List.of("system_name", "filename", "start_line")) {
      f.getChild(c).setValueCount(fns.size());
    }
    f.setValueCount(fns.size());

    dicts.put(LOCATIONS, new Dictionary(s, new DictionaryEncoding(LOCATIONS, false, U32)));
    dicts.put(FUNCTIONS, new Dictionary(f, new DictionaryEncoding(FUNCTIONS, false, U32)));
    dicts.put(FILENAMES, filenames.dictionary(a, FILENAMES, owned));
    dicts.put(FRAME_TYPES, frameTypes.dictionary(a, FRAME_TYPES, owned));
    dicts.put(MAPPING_FILES, files.dictionary(a, MAPPING_FILES, owned));
    dicts.put(BUILD_IDS, buildIds.dictionary(a, BUILD_IDS, owned));
  }

  /** Distinct strings in first-seen order, written as indexes into a utf8 dictionary. */
  private static final class Strings {
    final List<String> values = new ArrayList<>();
    final Map<String, Integer> index = new HashMap<>();

    void set(UInt4Vector v, int i, String s) {
      if (s == null) {
        v.setNull(i);
        return;
      }
      v.setSafe(i, index.computeIfAbsent(s, k -> {
        values.add(k);
        return values.size() - 1;
      }));
    }

    Dictionary dictionary(BufferAllocator a, long id, List<AutoCloseable> owned) {
      VarCharVector v = new VarCharVector("dict" + id, a);
      owned.add(v);
      ArrowFixtures.setStrings(v, values.toArray(String[]::new));
      return new Dictionary(v, new DictionaryEncoding(id, false, U32));
    }
  }

  static Field reeField(String name, FieldType values) {
    return new Field(name, FieldType.nullable(ArrowType.RunEndEncoded.INSTANCE), List.of(
        new Field("run_ends", FieldType.notNullable(I32), null),
        new Field("values", values, null)));
  }

  /** The runs of equal consecutive values: run ends and one value per run. */
  static <T> List<Object[]> runs(List<T> values) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      if (!out.isEmpty() && Objects.equals(out.getLast()[1], values.get(i))) {
        out.getLast()[0] = i + 1;
      } else {
        out.add(new Object[] {i + 1, values.get(i)});
      }
    }
    return out;
  }

  static void runEnds(RunEndEncodedVector v, List<Object[]> runs, int rows) {
    IntVector ends = (IntVector) v.getRunEndsVector();
    ends.allocateNew(runs.size());
    for (int i = 0; i < runs.size(); i++) {
      ends.set(i, (int) runs.get(i)[0]);
    }
    ends.setValueCount(runs.size());
    v.setValueCount(rows);
  }

  /** Run-end encoded indexes into {@code dict}, which gets the distinct values (utf8 or binary). */
  static void reeDict(RunEndEncodedVector v, List<String> values, BaseVariableWidthVector dict) {
    reeDict(v, values, dict, StandardCharsets.UTF_8);
  }

  private static void reeDict(RunEndEncodedVector v, List<String> values, BaseVariableWidthVector dict,
      java.nio.charset.Charset charset) {
    List<Object[]> runs = runs(values);
    UInt4Vector idx = (UInt4Vector) v.getValuesVector();
    idx.allocateNew(runs.size());
    List<String> distinct = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      String s = (String) runs.get(i)[1];
      if (s == null) {
        idx.setNull(i);
        continue;
      }
      int at = distinct.indexOf(s);
      if (at < 0) {
        distinct.add(s);
        at = distinct.size() - 1;
      }
      idx.set(i, at);
    }
    idx.setValueCount(runs.size());
    dict.allocateNew();
    for (int i = 0; i < distinct.size(); i++) {
      dict.setSafe(i, distinct.get(i).getBytes(charset));
    }
    dict.setValueCount(distinct.size());
    runEnds(v, runs, values.size());
  }

  private static void reeStrings(VectorSchemaRoot root, String column, List<Row> rows, Function<Row, String> value) {
    RunEndEncodedVector v = (RunEndEncodedVector) root.getVector(column);
    List<Object[]> runs = runs(rows.stream().map(value).toList());
    VarCharVector vals = (VarCharVector) v.getValuesVector();
    vals.allocateNew();
    for (int i = 0; i < runs.size(); i++) {
      vals.setSafe(i, ((String) runs.get(i)[1]).getBytes(StandardCharsets.UTF_8));
    }
    vals.setValueCount(runs.size());
    runEnds(v, runs, rows.size());
  }

  static void reeLongs(RunEndEncodedVector v, List<Long> values) {
    List<Object[]> runs = runs(values);
    FieldVector vals = v.getValuesVector();
    vals.allocateNew();
    for (int i = 0; i < runs.size(); i++) {
      long x = (Long) runs.get(i)[1];
      if (vals instanceof BigIntVector b) {
        b.setSafe(i, x);
      } else {
        ((UInt8Vector) vals).setSafe(i, x);
      }
    }
    vals.setValueCount(runs.size());
    runEnds(v, runs, values.size());
  }

  static void closeAll(List<AutoCloseable> owned) {
    for (AutoCloseable c : owned.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---------------------------------------------------------------- v1

  /** The id the v1 fixtures give a stack: 16 bytes from its index among the distinct stacks. */
  private static byte[] v1Id(int stack) {
    byte[] id = new byte[16];
    id[0] = (byte) 0xab;
    id[15] = (byte) (stack + 1);
    return id;
  }

  private static List<List<Loc>> distinctStacks(List<Row> rows) {
    List<List<Loc>> out = new ArrayList<>();
    for (Row r : rows) {
      if (!out.contains(r.stack())) {
        out.add(r.stack());
      }
    }
    return out;
  }

  /**
   * A v1 samples record of {@code rows}: {@code labels.<name>} and metadata columns run-end encoded
   * binary dictionaries (uint32), {@code stacktrace_id} a run-end encoded binary dictionary,
   * {@code period}/{@code duration}/{@code timestamp} run-end encoded int64.
   */
  public static byte[] v1Samples(BufferAllocator a, List<Row> rows) {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      List<String> labelNames = new ArrayList<>(new TreeSet<>(rows.stream().flatMap(r -> r.labels().keySet().stream())
          .toList()));
      List<String> dictColumns = new ArrayList<>();
      labelNames.forEach(l -> dictColumns.add("labels." + l));
      dictColumns.add("stacktrace_id");
      List<Field> fields = new ArrayList<>();
      Map<Long, Dictionary> dicts = new LinkedHashMap<>();
      for (int i = 0; i < dictColumns.size(); i++) {
        fields.add(reeField(dictColumns.get(i), new FieldType(true, U32, new DictionaryEncoding(FIRST_LABEL + i, false,
            U32))));
      }
      fields.add(new Field("value", FieldType.notNullable(I64), null));
      List<String> meta = List.of("producer", "sample_type", "sample_unit", "period_type", "period_unit", "temporality");
      for (int i = 0; i < meta.size(); i++) {
        fields.add(reeField(meta.get(i), new FieldType(true, U32, new DictionaryEncoding(100 + i, false, U32))));
      }
      for (String c : List.of("period", "duration", "timestamp")) {
        fields.add(reeField(c, FieldType.nullable(I64)));
      }
      VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields, Map.of(ArrowRecords.VERSION_KEY, "v1")), a);
      owned.add(root);
      List<List<Loc>> stacks = distinctStacks(rows);
      for (int i = 0; i < dictColumns.size(); i++) {
        String c = dictColumns.get(i);
        VarBinaryVector dict = new VarBinaryVector("dict_" + c, a);
        owned.add(dict);
        if (c.equals("stacktrace_id")) { // binary ids, carried through as ISO-8859-1 text byte for byte
          reeDict((RunEndEncodedVector) root.getVector(c), rows.stream().map(r -> new String(
              v1Id(stacks.indexOf(r.stack())), StandardCharsets.ISO_8859_1)).toList(), dict, StandardCharsets.ISO_8859_1);
        } else {
          reeDict((RunEndEncodedVector) root.getVector(c),
              rows.stream().map(r -> r.labels().get(c.substring("labels.".length()))).toList(), dict);
        }
        dicts.put(FIRST_LABEL + i, new Dictionary(dict, new DictionaryEncoding(FIRST_LABEL + i, false, U32)));
      }
      List<Function<Row, String>> metaValues = List.of(r -> "parca_agent", Row::sampleType, Row::sampleUnit,
          Row::periodType, Row::periodUnit, r -> "delta");
      for (int i = 0; i < meta.size(); i++) {
        VarBinaryVector dict = new VarBinaryVector("dict_" + meta.get(i), a);
        owned.add(dict);
        reeDict((RunEndEncodedVector) root.getVector(meta.get(i)), rows.stream().map(metaValues.get(i)).toList(), dict);
        dicts.put(100L + i, new Dictionary(dict, new DictionaryEncoding(100 + i, false, U32)));
      }
      BigIntVector values = (BigIntVector) root.getVector("value");
      values.allocateNew(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        values.set(i, rows.get(i).value());
      }
      values.setValueCount(rows.size());
      reeLongs((RunEndEncodedVector) root.getVector("period"), rows.stream().map(r -> PERIOD).toList());
      reeLongs((RunEndEncodedVector) root.getVector("duration"), rows.stream().map(r -> DURATION).toList());
      reeLongs((RunEndEncodedVector) root.getVector("timestamp"), rows.stream().map(Row::timestampNanos).toList());
      root.setRowCount(rows.size());
      return ArrowFixtures.writeStream(root, dicts, a);
    } finally {
      closeAll(owned);
    }
  }

  /**
   * The v1 locations record for the stacks of {@code rows}: {@code stacktrace_id} binary,
   * {@code is_complete}, {@code locations} List<Location{address uint64, frame_type, mapping_start,
   * mapping_limit, mapping_offset (run-end encoded uint64), mapping_file, mapping_build_id, lines
   * List<Line{line int64, function_name, function_system_name (binary dictionaries),
   * function_filename (run-end encoded binary dictionary), function_start_line int64}>}>}.
   */
  public static byte[] v1Locations(BufferAllocator a, List<Row> rows) {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      List<List<Loc>> stacks = distinctStacks(rows);
      Field line = new Field("item", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
          new Field("line", FieldType.nullable(I64), null),
          new Field("function_name", new FieldType(true, U32, new DictionaryEncoding(20, false, U32)), null),
          new Field("function_system_name", new FieldType(true, U32, new DictionaryEncoding(21, false, U32)), null),
          reeField("function_filename", new FieldType(true, U32, new DictionaryEncoding(22, false, U32))),
          new Field("function_start_line", FieldType.nullable(I64), null)));
      Field location = new Field("item", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
          new Field("address", FieldType.nullable(U64), null),
          reeField("frame_type", new FieldType(true, U32, new DictionaryEncoding(23, false, U32))),
          reeField("mapping_start", FieldType.nullable(U64)),
          reeField("mapping_limit", FieldType.nullable(U64)),
          reeField("mapping_offset", FieldType.nullable(U64)),
          reeField("mapping_file", new FieldType(true, U32, new DictionaryEncoding(24, false, U32))),
          reeField("mapping_build_id", new FieldType(true, U32, new DictionaryEncoding(25, false, U32))),
          new Field("lines", FieldType.nullable(ArrowType.List.INSTANCE), List.of(line))));
      Schema schema = new Schema(List.of(
          new Field("stacktrace_id", FieldType.nullable(ArrowType.Binary.INSTANCE), null),
          new Field("is_complete", FieldType.nullable(ArrowType.Bool.INSTANCE), null),
          new Field("locations", FieldType.nullable(ArrowType.List.INSTANCE), List.of(location))),
          Map.of(ArrowRecords.VERSION_KEY, "v1"));
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
      owned.add(root);
      VarBinaryVector ids = (VarBinaryVector) root.getVector("stacktrace_id");
      ids.allocateNew();
      BitVector complete = (BitVector) root.getVector("is_complete");
      complete.allocateNew(stacks.size());
      ListVector list = (ListVector) root.getVector("locations");
      list.allocateNew();
      StructVector locs = (StructVector) list.getDataVector();
      locs.allocateNew();
      List<Loc> frames = new ArrayList<>();
      for (int i = 0; i < stacks.size(); i++) {
        ids.setSafe(i, v1Id(i));
        complete.set(i, 1);
        list.startNewValue(i);
        for (Loc l : stacks.get(i)) {
          locs.setIndexDefined(frames.size());
          frames.add(l);
        }
        list.endValue(i, stacks.get(i).size());
      }
      ids.setValueCount(stacks.size());
      complete.setValueCount(stacks.size());
      int nf = frames.size();
      UInt8Vector address = (UInt8Vector) locs.getChild("address");
      address.allocateNew(nf);
      for (int i = 0; i < nf; i++) {
        address.set(i, frames.get(i).address());
      }
      address.setValueCount(nf);
      Map<Long, Dictionary> dicts = new LinkedHashMap<>();
      v1Dict(a, (RunEndEncodedVector) locs.getChild("frame_type"), frames.stream().map(Loc::frameType).toList(), 23,
          dicts, owned);
      v1Dict(a, (RunEndEncodedVector) locs.getChild("mapping_file"), frames.stream().map(Loc::mappingFile).toList(),
          24, dicts, owned);
      v1Dict(a, (RunEndEncodedVector) locs.getChild("mapping_build_id"), frames.stream().map(Loc::buildId).toList(),
          25, dicts, owned);
      reeLongs((RunEndEncodedVector) locs.getChild("mapping_start"), frames.stream().map(Loc::mappingStart).toList());
      reeLongs((RunEndEncodedVector) locs.getChild("mapping_limit"), frames.stream().map(Loc::mappingLimit).toList());
      reeLongs((RunEndEncodedVector) locs.getChild("mapping_offset"), frames.stream().map(Loc::mappingOffset).toList());
      ListVector lines = (ListVector) locs.getChild("lines");
      lines.allocateNew();
      StructVector lineItems = (StructVector) lines.getDataVector();
      lineItems.allocateNew();
      List<Fn> fns = new ArrayList<>();
      for (int i = 0; i < nf; i++) {
        lines.startNewValue(i);
        for (Fn fn : frames.get(i).lines()) {
          lineItems.setIndexDefined(fns.size());
          fns.add(fn);
        }
        lines.endValue(i, frames.get(i).lines().size());
      }
      lines.setValueCount(nf);
      BigIntVector lineNumbers = (BigIntVector) lineItems.getChild("line");
      BigIntVector startLines = (BigIntVector) lineItems.getChild("function_start_line");
      lineNumbers.allocateNew(fns.size());
      startLines.allocateNew(fns.size());
      for (int i = 0; i < fns.size(); i++) {
        lineNumbers.set(i, fns.get(i).line());
        startLines.set(i, fns.get(i).startLine());
      }
      lineNumbers.setValueCount(fns.size());
      startLines.setValueCount(fns.size());
      // v1 agents send a name and a system name; these fixtures give both the system name
      Strings names = new Strings();
      Strings systemNames = new Strings();
      UInt4Vector nameIdx = (UInt4Vector) lineItems.getChild("function_name");
      UInt4Vector systemIdx = (UInt4Vector) lineItems.getChild("function_system_name");
      nameIdx.allocateNew(fns.size());
      systemIdx.allocateNew(fns.size());
      for (int i = 0; i < fns.size(); i++) {
        names.set(nameIdx, i, fns.get(i).systemName());
        systemNames.set(systemIdx, i, fns.get(i).systemName());
      }
      nameIdx.setValueCount(fns.size());
      systemIdx.setValueCount(fns.size());
      dicts.put(20L, binary(a, 20, names.values, owned));
      dicts.put(21L, binary(a, 21, systemNames.values, owned));
      v1Dict(a, (RunEndEncodedVector) lineItems.getChild("function_filename"), fns.stream().map(Fn::filename).toList(),
          22, dicts, owned);
      lineItems.setValueCount(fns.size());
      locs.setValueCount(nf);
      list.setValueCount(stacks.size());
      root.setRowCount(stacks.size());
      return ArrowFixtures.writeStream(root, dicts, a);
    } finally {
      closeAll(owned);
    }
  }

  private static void v1Dict(BufferAllocator a, RunEndEncodedVector v, List<String> values, long id,
      Map<Long, Dictionary> dicts, List<AutoCloseable> owned) {
    VarBinaryVector dict = new VarBinaryVector("dict" + id, a);
    owned.add(dict);
    reeDict(v, values, dict);
    dicts.put(id, new Dictionary(dict, new DictionaryEncoding(id, false, U32)));
  }

  private static Dictionary binary(BufferAllocator a, long id, List<String> values, List<AutoCloseable> owned) {
    VarBinaryVector v = new VarBinaryVector("dict" + id, a);
    owned.add(v);
    v.allocateNew();
    for (int i = 0; i < values.size(); i++) {
      v.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(values.size());
    return new Dictionary(v, new DictionaryEncoding(id, false, U32));
  }

  /** A stored WRITE_V1 blob of the two records, as the server stores a complete Write stream. */
  public static byte[] writeV1Blob(byte[] samples, byte[] locations) {
    return WriteExchange.writeV1Blob(samples, locations);
  }
}
