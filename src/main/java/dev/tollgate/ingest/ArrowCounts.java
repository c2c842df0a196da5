package dev.tollgate.ingest;

import java.util.Collection;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.RunEndEncodedVector;
import org.apache.arrow.vector.dictionary.Dictionary;

/**
 * How many values an Arrow record batch and its dictionaries physically hold: every element of
 * every column and nested child (list items, struct fields, a location's lines). A run-end
 * encoded column counts its runs, not the rows they stand for, so the count is what the bytes
 * hold and is cheap to take: it looks at each vector once, never at its rows.
 */
final class ArrowCounts {
  private ArrowCounts() {}

  /** The elements of {@code vectors} and all their children. */
  static long elements(Collection<? extends FieldVector> vectors) {
    long n = 0;
    for (FieldVector v : vectors) {
      n += elements(v, 0);
    }
    return n;
  }

  /** The entries of the largest of {@code dictionaries}. */
  static long largestDictionary(Collection<Dictionary> dictionaries) {
    long max = 0;
    for (Dictionary d : dictionaries) {
      max = Math.max(max, d.getVector().getValueCount());
    }
    return max;
  }

  /** The elements of all {@code dictionaries} and their children. */
  static long dictionaryElements(Collection<Dictionary> dictionaries) {
    long n = 0;
    for (Dictionary d : dictionaries) {
      n += elements(d.getVector(), 0);
    }
    return n;
  }

  private static long elements(FieldVector v, int depth) {
    if (depth > 64) {
      throw new InvalidProfileException("column " + v.getField().getName() + " nests types too deeply");
    }
    long n = v instanceof RunEndEncodedVector ? 0 : v.getValueCount();
    for (FieldVector child : v.getChildrenFromFields()) {
      n += elements(child, depth + 1);
    }
    return n;
  }
}
