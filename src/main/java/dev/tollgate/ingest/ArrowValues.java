package dev.tollgate.ingest;

import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.RunEndEncodedVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;

/**
 * Reads one logical value through the encodings Parca agents use: run-end encoding and
 * dictionaries, nested. Public so that reading stored blobs ({@code dev.tollgate.query}) decodes
 * values exactly as ingestion does. A value that cannot be read throws a RuntimeException
 * naming the column.
 */
public final class ArrowValues {
  private ArrowValues() {}

  /** The vector and index holding the plain value of a row. */
  public record Slot(FieldVector vector, int index) {}

  /** Where the plain value of {@code row} of {@code v} is, through run-end encoding and dictionaries; null when null. */
  public static Slot resolve(FieldVector v, int row, DictionaryProvider dicts) {
    for (int depth = 0; depth < 8; depth++) {
      if (row < 0 || row >= v.getValueCount()) {
        throw new InvalidProfileException("column " + v.getField().getName() + " has no row " + row);
      }
      if (v instanceof RunEndEncodedVector ree) {
        int p = ree.getPhysicalIndex(row);
        v = ree.getValuesVector();
        row = p;
        continue;
      }
      if (v.isNull(row)) {
        return null;
      }
      DictionaryEncoding enc = v.getField().getDictionary();
      if (enc != null) {
        Dictionary d = dicts.lookup(enc.getId());
        if (d == null || !(v instanceof BaseIntVector ints)) {
          throw new InvalidProfileException("column " + v.getField().getName() + " names missing dictionary " + enc.getId());
        }
        row = Math.toIntExact(ints.getValueAsLong(row));
        v = d.getVector();
        continue;
      }
      return new Slot(v, row);
    }
    throw new InvalidProfileException("column " + v.getField().getName() + " nests encodings too deeply");
  }

  public static String string(FieldVector v, int row, DictionaryProvider dicts) {
    Slot s = resolve(v, row, dicts);
    if (s == null) {
      return null;
    }
    Object o = s.vector().getObject(s.index());
    if (o instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    return o == null ? null : o.toString();
  }

  /** A timestamp (or integer) column's value as a long, or null when null or of another type. */
  public static Long epochNanos(FieldVector v, int row, DictionaryProvider dicts) {
    Slot s = resolve(v, row, dicts);
    if (s == null) {
      return null;
    }
    if (s.vector() instanceof org.apache.arrow.vector.TimeStampVector t) {
      return t.get(s.index());
    }
    if (s.vector() instanceof BaseIntVector i) {
      return i.getValueAsLong(s.index());
    }
    return null;
  }

  public static byte[] bytes(FieldVector v, int row, DictionaryProvider dicts) {
    Slot s = resolve(v, row, dicts);
    if (s == null) {
      return null;
    }
    Object o = s.vector().getObject(s.index());
    if (o instanceof byte[] b) {
      return b;
    }
    if (o instanceof java.util.UUID u) {
      return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }
    throw new InvalidProfileException("column " + v.getField().getName() + " is not binary");
  }
}
