package dev.tollgate.cli;

import static dev.tollgate.cli.Table.Column.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  static String print(Table t, String json) throws Exception {
    StringWriter sw = new StringWriter();
    t.print(ApiClient.JSON.readTree(json), new PrintWriter(sw));
    return sw.toString();
  }

  @Test
  void columnsAreAlignedToTheWidestCell() throws Exception {
    Table t = Table.of(field("ID", "id"), field("NAME", "name"), field("N", "n"));
    String s = print(t, "[{\"id\":\"a\",\"name\":\"scraper-eu-1\",\"n\":3},{\"id\":\"bbbb\",\"name\":\"x\",\"n\":10}]");
    assertThat(s.lines().toList()).containsExactly(
        "ID    NAME          N",
        "a     scraper-eu-1  3",
        "bbbb  x             10");
  }

  @Test
  void missingAndNullCells_showADash() throws Exception {
    Table t = Table.of(field("ID", "id"), field("PROJECT", "projectId"));
    assertThat(print(t, "[{\"id\":\"a\",\"projectId\":null},{\"id\":\"b\"}]").lines().toList())
        .containsExactly("ID  PROJECT", "a   -", "b   -");
  }

  @Test
  void noRows_printsTheHeaderOnly() throws Exception {
    assertThat(print(Table.of(field("ID", "id")), "[]")).isEqualTo("ID" + System.lineSeparator());
  }

  @Test
  void newlinesInCells_doNotBreakRows() throws Exception {
    assertThat(print(Table.of(field("D", "d")), "[{\"d\":\"a\\nb\"}]").lines().toList()).containsExactly("D", "a b");
  }

  @Test
  void aTableNeedsColumns() {
    assertThatThrownBy(() -> new Table(List.of())).hasMessageContaining("columns");
  }
}
