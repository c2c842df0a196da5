package dev.tollgate.ingest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * What the index takes from one row of an agent's Arrow samples record: its label set and its
 * profile type. Public so that reading stored blobs ({@code dev.tollgate.query}) keys rows exactly
 * as the index does.
 */
public final class ArrowRows {
  private ArrowRows() {}

  /** The label columns: the children of the v2 {@code labels} struct, or the v1 {@code labels.<name>} columns. */
  public static List<FieldVector> labelColumns(VectorSchemaRoot root, boolean v1) {
    if (v1) {
      return root.getFieldVectors().stream().filter(v -> v.getName().startsWith("labels.")).toList();
    }
    StructVector labels = (StructVector) root.getVector("labels");
    return new ArrayList<>(labels.getChildrenFromFields());
  }

  /** The label set of {@code row}: its non-empty label values by name, sorted, unmodifiable. */
  public static SortedMap<String, String> labels(List<FieldVector> labelColumns, int row, DictionaryProvider dicts,
      boolean v1) {
    TreeMap<String, String> labels = new TreeMap<>();
    for (FieldVector c : labelColumns) {
      String value = ArrowValues.string(c, row, dicts);
      if (value != null && !value.isEmpty()) {
        labels.put(v1 ? c.getName().substring("labels.".length()) : c.getName(), value);
      }
    }
    return Collections.unmodifiableSortedMap(labels);
  }

  /** The Parca profile type of {@code row}, e.g. {@code parca_agent:samples:count:cpu:nanoseconds:delta}. */
  public static String profileType(VectorSchemaRoot root, int row, DictionaryProvider dicts) {
    return ProfileTypes.of(string(root, "producer", row, dicts), string(root, "sample_type", row, dicts),
        string(root, "sample_unit", row, dicts),
        string(root, "period_type", row, dicts) + ":" + string(root, "period_unit", row, dicts),
        "delta".equals(string(root, "temporality", row, dicts)));
  }

  /** A string column's value, "" when null. */
  public static String string(VectorSchemaRoot root, String column, int row, DictionaryProvider dicts) {
    String s = ArrowValues.string(root.getVector(column), row, dicts);
    return s == null ? "" : s;
  }
}
