package dev.tollgate.query;

import dev.tollgate.ingest.ArrowValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.ListViewVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;

/**
 * Reads stacks out of agents' Arrow records, through their run-end encodings, dictionaries,
 * lists and list views. Locations are structs with {@code address}, {@code mapping_file},
 * {@code mapping_build_id}, optionally {@code mapping_start}/{@code mapping_limit}/{@code
 * mapping_offset} (v1), and {@code lines}: a list (view) of structs with {@code line} and either a
 * {@code function} struct ({@code name}, {@code system_name}, {@code filename}, {@code
 * start_line}; v2, usually dictionary-encoded) or flat {@code function_name}, {@code
 * function_system_name}, {@code function_filename}, {@code function_start_line} (v1). Columns a
 * record lacks read as absent. Malformed data throws a RuntimeException naming the column.
 */
final class ArrowFrames {
  private final DictionaryProvider dicts;
  /** Frames already read, by the struct vector and index holding them (a batch's location dictionary is read once). */
  private final Map<FieldVector, Map<Integer, Frame>> read = new IdentityHashMap<>();
  private final Map<FieldVector, Optional<DictionaryEncoding>> encodings = new IdentityHashMap<>();

  /** Reads one record batch; a new batch (whose dictionaries may be new) needs a new instance. */
  ArrowFrames(DictionaryProvider dicts) {
    this.dicts = dicts;
  }

  /** The elements {@code [start, end)} of entry {@code row} of a list or list view in {@code data}. */
  record Range(FieldVector data, int start, int end) {}

  /** The range of a list (view) value, through encodings; null when null or not a list. */
  Range range(FieldVector v, int row) {
    ArrowValues.Slot s = ArrowValues.resolve(v, row, dicts);
    if (s == null) {
      return null;
    }
    if (s.vector() instanceof ListViewVector lv) {
      int start = lv.getOffsetBuffer().getInt((long) s.index() * 4);
      int size = lv.getSizeBuffer().getInt((long) s.index() * 4);
      return checked(lv.getDataVector(), start, start + size, v);
    }
    if (s.vector() instanceof ListVector l) {
      return checked(l.getDataVector(), l.getElementStartIndex(s.index()), l.getElementEndIndex(s.index()), v);
    }
    return null;
  }

  private static Range checked(FieldVector data, int start, int end, FieldVector list) {
    if (start < 0 || end < start || end > data.getValueCount()) {
      throw new IllegalArgumentException("column " + list.getField().getName() + " has a list out of its values' range");
    }
    return new Range(data, start, end);
  }

  /** The frames of a stack: a list (view) of location structs, plain or dictionary-encoded. */
  List<Frame> stack(FieldVector stacks, int row) {
    Range r = range(stacks, row);
    if (r == null) {
      return List.of();
    }
    List<Frame> out = new ArrayList<>(r.end() - r.start());
    for (int i = r.start(); i < r.end(); i++) {
      out.add(frame(r.data(), i));
    }
    return out;
  }

  /** The location at {@code index} of {@code locations} (a struct, or indexes into a dictionary of structs). */
  Frame frame(FieldVector locations, int index) {
    // The agents' shape, dictionary indexes into location structs, without going through the
    // struct's getField() (which rebuilds the whole nested field) for every frame.
    Optional<DictionaryEncoding> enc = encodings.computeIfAbsent(locations,
        v -> Optional.ofNullable(v.getField().getDictionary()));
    if (enc.isPresent() && locations instanceof BaseIntVector ints && index >= 0
        && index < locations.getValueCount() && !locations.isNull(index)) {
      Dictionary d = dicts.lookup(enc.get().getId());
      long i = ints.getValueAsLong(index);
      if (d != null && d.getVector() instanceof StructVector loc && i >= 0 && i < loc.getValueCount()) {
        return cached(loc, (int) i);
      }
    }
    ArrowValues.Slot s = ArrowValues.resolve(locations, index, dicts);
    if (s == null || !(s.vector() instanceof StructVector loc)) {
      throw new IllegalArgumentException("column " + locations.getField().getName() + " row " + index
          + " is not a location struct");
    }
    return cached(loc, s.index());
  }

  private Frame cached(StructVector loc, int i) {
    Map<Integer, Frame> known = read.computeIfAbsent(loc, k -> new HashMap<>());
    Frame frame = known.get(i);
    if (frame == null) {
      frame = read(loc, i);
      known.put(i, frame);
    }
    return frame;
  }

  private Frame read(StructVector loc, int i) {
    Long address = number(loc, "address", i);
    List<Frame.Line> lines = new ArrayList<>();
    FieldVector linesColumn = child(loc, "lines");
    Range r = linesColumn == null ? null : range(linesColumn, i);
    if (r != null && r.data() instanceof StructVector line) {
      for (int j = r.start(); j < r.end(); j++) {
        lines.add(line(line, j));
      }
    }
    return new Frame(address == null ? 0 : address, string(loc, "mapping_file", i), string(loc, "mapping_build_id", i),
        orZero(number(loc, "mapping_start", i)), orZero(number(loc, "mapping_limit", i)),
        orZero(number(loc, "mapping_offset", i)), List.copyOf(lines));
  }

  private Frame.Line line(StructVector line, int j) {
    long number = orZero(number(line, "line", j));
    FieldVector function = child(line, "function");
    if (function != null) {
      ArrowValues.Slot f = ArrowValues.resolve(function, j, dicts);
      if (f == null || !(f.vector() instanceof StructVector fn)) {
        return new Frame.Line(null, null, null, 0, number);
      }
      int k = f.index();
      return new Frame.Line(string(fn, "name", k), string(fn, "system_name", k), string(fn, "filename", k),
          orZero(number(fn, "start_line", k)), number);
    }
    return new Frame.Line(string(line, "function_name", j), string(line, "function_system_name", j),
        string(line, "function_filename", j), orZero(number(line, "function_start_line", j)), number);
  }

  private static FieldVector child(StructVector s, String name) {
    return s.getChild(name) instanceof FieldVector f ? f : null;
  }

  private String string(StructVector s, String name, int i) {
    FieldVector c = child(s, name);
    if (c == null) {
      return null;
    }
    String v = ArrowValues.string(c, i, dicts);
    return v == null || v.isEmpty() ? null : v;
  }

  private Long number(StructVector s, String name, int i) {
    FieldVector c = child(s, name);
    return c == null ? null : ArrowValues.epochNanos(c, i, dicts);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
