package dev.tollgate.query;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Parca's {@code REPORT_TYPE_FLAMEGRAPH_ARROW}: the flame graph as one Arrow IPC record, a row per
 * node, row 0 the root, each row's {@code children} the rows below it. Columns and types as Parca's
 * {@code pkg/query/flamegraph_arrow.go} writes them: {@code labels_only} bool, {@code mapping_start},
 * {@code mapping_limit}, {@code mapping_offset} uint64, {@code mapping_file},
 * {@code mapping_build_id} dictionary(int32 → utf8), {@code location_address} uint64,
 * {@code location_folded} bool, {@code location_line} int64, {@code function_startline} int64,
 * {@code function_name}, {@code function_system_name}, {@code function_file_name} dictionary(int32 → utf8),
 * {@code children} list&lt;uint32&gt;, {@code cumulative} int64, {@code diff} int64 (null when 0).
 * Per-sample-label columns ({@code labels.*}) are not written: nodes are not split by pprof labels.
 */
final class FlamegraphArrow {
  private FlamegraphArrow() {}

  private static final ArrowType DICT_INDEX = new ArrowType.Int(32, true);
  private static final String[] DICTS = {"mapping_file", "mapping_build_id", "function_name",
      "function_system_name", "function_file_name"};

  static dev.tollgate.proto.parca.query.v1alpha1.FlamegraphArrow build(ProfileMerger.Merged m,
      BufferAllocator parent) {
    FlameTree tree = FlameTree.of(m);
    List<FlameTree.Node> rows = new ArrayList<>();
    List<int[]> children = new ArrayList<>();
    order(tree.root, rows, children);
    try (BufferAllocator allocator = parent.newChildAllocator("flamegraph-arrow", 0, Long.MAX_VALUE)) {
      byte[] record = write(m, rows, children, allocator);
      return dev.tollgate.proto.parca.query.v1alpha1.FlamegraphArrow.newBuilder()
          .setRecord(ByteString.copyFrom(record)).setUnit(m.sampleUnit).setHeight(tree.height + 1).setTrimmed(0)
          .build();
    }
  }

  /** Pre-order: a node's row, then its subtrees; returns the node's row. */
  private static int order(FlameTree.Node n, List<FlameTree.Node> rows, List<int[]> children) {
    // iterative: deep stacks must not overflow the thread's stack
    int rootRow = rows.size();
    rows.add(n);
    children.add(null);
    record Frame(FlameTree.Node node, int row, List<FlameTree.Node> kids, int[] childRows, int next) {}
    java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
    List<FlameTree.Node> kids = n.childList();
    stack.push(new Frame(n, rootRow, kids, new int[kids.size()], 0));
    while (!stack.isEmpty()) {
      Frame f = stack.pop();
      if (f.next == f.kids.size()) {
        children.set(f.row, f.childRows);
        continue;
      }
      stack.push(new Frame(f.node, f.row, f.kids, f.childRows, f.next + 1));
      FlameTree.Node c = f.kids.get(f.next);
      int row = rows.size();
      rows.add(c);
      children.add(null);
      f.childRows[f.next] = row;
      List<FlameTree.Node> ck = c.childList();
      stack.push(new Frame(c, row, ck, new int[ck.size()], 0));
    }
    return rootRow;
  }

  private static byte[] write(ProfileMerger.Merged m, List<FlameTree.Node> rows, List<int[]> children,
      BufferAllocator allocator) {
    int n = rows.size();
    List<Map<String, Integer>> dictIndex = new ArrayList<>();
    List<List<String>> dictValues = new ArrayList<>();
    for (int i = 0; i < DICTS.length; i++) {
      dictIndex.add(new HashMap<>());
      dictValues.add(new ArrayList<>());
    }
    List<Field> fields = new ArrayList<>();
    fields.add(Field.nullable("labels_only", ArrowType.Bool.INSTANCE));
    fields.add(Field.nullable("mapping_start", new ArrowType.Int(64, false)));
    fields.add(Field.nullable("mapping_limit", new ArrowType.Int(64, false)));
    fields.add(Field.nullable("mapping_offset", new ArrowType.Int(64, false)));
    fields.add(dictField("mapping_file", 0));
    fields.add(dictField("mapping_build_id", 1));
    fields.add(Field.nullable("location_address", new ArrowType.Int(64, false)));
    fields.add(Field.nullable("location_folded", ArrowType.Bool.INSTANCE));
    fields.add(Field.nullable("location_line", new ArrowType.Int(64, true)));
    fields.add(Field.nullable("function_startline", new ArrowType.Int(64, true)));
    fields.add(dictField("function_name", 2));
    fields.add(dictField("function_system_name", 3));
    fields.add(dictField("function_file_name", 4));
    fields.add(new Field("children", FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(Field.nullable("item", new ArrowType.Int(32, false)))));
    fields.add(Field.nullable("cumulative", new ArrowType.Int(64, true)));
    fields.add(Field.nullable("diff", new ArrowType.Int(64, true)));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(fields),
        allocator)) {
      root.allocateNew();
      BitVector labelsOnly = (BitVector) root.getVector("labels_only");
      UInt8Vector mStart = (UInt8Vector) root.getVector("mapping_start");
      UInt8Vector mLimit = (UInt8Vector) root.getVector("mapping_limit");
      UInt8Vector mOffset = (UInt8Vector) root.getVector("mapping_offset");
      IntVector mFile = (IntVector) root.getVector("mapping_file");
      IntVector mBuild = (IntVector) root.getVector("mapping_build_id");
      UInt8Vector address = (UInt8Vector) root.getVector("location_address");
      BitVector folded = (BitVector) root.getVector("location_folded");
      BigIntVector line = (BigIntVector) root.getVector("location_line");
      BigIntVector startLine = (BigIntVector) root.getVector("function_startline");
      IntVector fName = (IntVector) root.getVector("function_name");
      IntVector fSys = (IntVector) root.getVector("function_system_name");
      IntVector fFile = (IntVector) root.getVector("function_file_name");
      ListVector kids = (ListVector) root.getVector("children");
      BigIntVector cumulative = (BigIntVector) root.getVector("cumulative");
      BigIntVector diff = (BigIntVector) root.getVector("diff");
      UnionListWriter kw = kids.getWriter();
      for (int r = 0; r < n; r++) {
        FlameTree.Node node = rows.get(r);
        labelsOnly.setSafe(r, 0);
        if (node.location != 0) {
          Location l = m.location(node.location);
          if (l.getMappingId() != 0) {
            Mapping mp = m.mappings.get((int) l.getMappingId() - 1);
            mStart.setSafe(r, mp.getMemoryStart());
            mLimit.setSafe(r, mp.getMemoryLimit());
            mOffset.setSafe(r, mp.getFileOffset());
            mFile.setSafe(r, dict(dictIndex, dictValues, 0, m.strings.get((int) mp.getFilename())));
            mBuild.setSafe(r, dict(dictIndex, dictValues, 1, m.strings.get((int) mp.getBuildId())));
          }
          address.setSafe(r, l.getAddress());
          folded.setSafe(r, l.getIsFolded() ? 1 : 0);
          if (node.line >= 0) {
            var ln = l.getLine(node.line);
            line.setSafe(r, ln.getLine());
            if (ln.getFunctionId() != 0) {
              Function f = m.function(ln.getFunctionId());
              startLine.setSafe(r, f.getStartLine());
              fName.setSafe(r, dict(dictIndex, dictValues, 2, m.strings.get((int) f.getName())));
              fSys.setSafe(r, dict(dictIndex, dictValues, 3, m.strings.get((int) f.getSystemName())));
              fFile.setSafe(r, dict(dictIndex, dictValues, 4, m.strings.get((int) f.getFilename())));
            }
          }
        }
        kw.setPosition(r);
        kw.startList();
        for (int c : children.get(r)) {
          kw.uInt4().writeUInt4(c);
        }
        kw.endList();
        cumulative.setSafe(r, node.cumulative);
        long d = m.columns == 2 ? node.cumulative - node.base : 0;
        if (d != 0) {
          diff.setSafe(r, d);
        }
      }
      for (FieldVector v : root.getFieldVectors()) {
        v.setValueCount(n);
      }
      root.setRowCount(n);
      DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();
      List<VarCharVector> dictVectors = new ArrayList<>();
      try {
        for (int i = 0; i < DICTS.length; i++) {
          VarCharVector dv = new VarCharVector(DICTS[i] + "_dict", allocator);
          dictVectors.add(dv);
          dv.allocateNew();
          List<String> values = dictValues.get(i);
          for (int k = 0; k < values.size(); k++) {
            dv.setSafe(k, values.get(k).getBytes(StandardCharsets.UTF_8));
          }
          dv.setValueCount(values.size());
          provider.put(new Dictionary(dv, new DictionaryEncoding(i, false, (ArrowType.Int) DICT_INDEX)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowStreamWriter w = new ArrowStreamWriter(root, provider, out)) {
          w.start();
          w.writeBatch();
          w.end();
        }
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        dictVectors.forEach(VarCharVector::close);
      }
    }
  }

  private static Field dictField(String name, long id) {
    return new Field(name, new FieldType(true, ArrowType.Utf8.INSTANCE,
        new DictionaryEncoding(id, false, (ArrowType.Int) DICT_INDEX)), null);
  }

  private static int dict(List<Map<String, Integer>> index, List<List<String>> values, int d, String s) {
    return index.get(d).computeIfAbsent(s, k -> {
      values.get(d).add(k);
      return values.get(d).size() - 1;
    });
  }
}
