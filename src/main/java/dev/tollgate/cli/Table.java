package dev.tollgate.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A human-readable table: upper-case headers, columns left-aligned and separated by two spaces,
 * empty values shown as {@code -}. Rows are JSON objects and each column says how to read its
 * cell from one.
 */
public final class Table {
  /** One column: its header and how to get the cell text from a row. */
  public record Column(String header, Function<JsonNode, String> cell) {
    public Column {
      requireNonNull(header, "header");
      requireNonNull(cell, "cell");
    }

    /** A column showing a text field of the row. */
    public static Column field(String header, String field) {
      return new Column(header, row -> text(row.get(field)));
    }
  }

  private final List<Column> columns;

  public Table(List<Column> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("columns: at least one is needed");
    }
    this.columns = List.copyOf(columns);
  }

  public static Table of(Column... columns) {
    return new Table(List.of(columns));
  }

  /** Prints the header and one line per element of {@code rows} (an array). */
  public void print(JsonNode rows, PrintWriter out) {
    List<String[]> lines = new ArrayList<>();
    lines.add(columns.stream().map(Column::header).toArray(String[]::new));
    for (JsonNode row : rows) {
      String[] line = new String[columns.size()];
      for (int i = 0; i < line.length; i++) {
        String v = columns.get(i).cell().apply(row);
        line[i] = v == null || v.isEmpty() ? "-" : oneLine(v);
      }
      lines.add(line);
    }
    int[] widths = new int[columns.size()];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] line : lines) {
      sb.setLength(0);
      for (int i = 0; i < line.length; i++) {
        sb.append(line[i]);
        if (i < line.length - 1) {
          sb.append(" ".repeat(widths[i] - line[i].length() + 2));
        }
      }
      out.println(sb);
    }
    out.flush();
  }

  /** The text of a JSON value; empty for missing or null. */
  static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? "" : n.asText();
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
  }
}
