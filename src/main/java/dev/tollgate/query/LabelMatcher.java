package dev.tollgate.query;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One {@code name op "value"} of a selector, with Prometheus semantics: a missing label has the
 * value {@code ""}, and regexes match the whole value ({@code ^(?:re)$}) with RE2 syntax (see {@link Re2}).
 */
record LabelMatcher(String name, Op op, String value, Pattern pattern) {
  enum Op {
    EQ("="), NEQ("!="), RE("=~"), NRE("!~");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  static LabelMatcher of(String name, Op op, String value) {
    Pattern p = op == Op.RE || op == Op.NRE ? Re2.compileAnchored(value) : null;
    return new LabelMatcher(name, op, value, p);
  }

  boolean matches(Map<String, String> labels) {
    String v = labels.getOrDefault(name, "");
    return switch (op) {
      case EQ -> v.equals(value);
      case NEQ -> !v.equals(value);
      case RE -> pattern.matcher(v).matches();
      case NRE -> !pattern.matcher(v).matches();
    };
  }

  @Override
  public String toString() {
    return name + op.text + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
