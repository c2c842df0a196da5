package dev.tollgate.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed Parca query: an optional profile type and label matchers, e.g.
 * {@code parca_agent:samples:count:cpu:nanoseconds:delta{comm="api", node=~"prod-.*"}}.
 *
 * <p>Grammar: {@code [profile_type] ["{" [matcher {"," matcher} [","]] "}"]}; a matcher is
 * {@code label_name ("=" | "!=" | "=~" | "!~") value}, the value a Go string literal
 * ({@code "..."} with Go escapes, {@code '...'}, or raw {@code `...`}). Errors name the position
 * as {@code line:column: ...} (1-based, in characters).
 *
 * @param profileType null when the query names none (then every type matches)
 */
record Selector(ProfileTypeName profileType, List<LabelMatcher> matchers) {

  /** Whether a series with these labels (its {@code __name__} included) is selected. */
  boolean matchesLabels(Map<String, String> labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the profile type (the index's string) is selected. */
  boolean matchesType(String type) {
    return profileType == null || profileType.toString().equals(type);
  }

  /** Parses a query; InvalidQueryException naming the position of the first error. */
  static Selector parse(String query) {
    return new Parser(query == null ? "" : query).parse();
  }

  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    Selector parse() {
      skipSpace();
      ProfileTypeName type = null;
      if (i < s.length() && s.charAt(i) != '{') {
        int start = i;
        while (i < s.length() && s.charAt(i) != '{' && !Character.isWhitespace(s.charAt(i))) {
          char c = s.charAt(i);
          if (!(Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.' || c == '-')) {
            throw error(i, "unexpected character " + quote(c) + " in profile type");
          }
          i++;
        }
        String text = s.substring(start, i);
        type = ProfileTypeName.parseOrNull(text);
        if (type == null) {
          throw error(start, "invalid profile type \"" + text
              + "\": expected name:sample_type:sample_unit:period_type:period_unit[:delta]");
        }
        skipSpace();
      }
      List<LabelMatcher> matchers = new ArrayList<>();
      if (i < s.length() && s.charAt(i) == '{') {
        i++;
        skipSpace();
        while (true) {
          if (i >= s.length()) {
            throw error(i, "unexpected end of input, expected label name or \"}\"");
          }
          if (s.charAt(i) == '}') {
            i++;
            break;
          }
          matchers.add(matcher());
          skipSpace();
          if (i >= s.length()) {
            throw error(i, "unexpected end of input, expected \",\" or \"}\"");
          }
          char c = s.charAt(i);
          if (c == ',') {
            i++;
            skipSpace();
          } else if (c != '}') {
            throw error(i, "unexpected " + quote(c) + ", expected \",\" or \"}\"");
          }
        }
        skipSpace();
      }
      if (i < s.length()) {
        throw error(i, "unexpected " + quote(s.charAt(i)) + " after the selector");
      }
      if (s.isBlank()) {
        throw error(0, "empty query: name a profile type and/or label matchers");
      }
      return new Selector(type, List.copyOf(matchers));
    }

    private LabelMatcher matcher() {
      int start = i;
      if (!isNameStart(s.charAt(i))) {
        throw error(i, "unexpected " + quote(s.charAt(i)) + ", expected label name");
      }
      while (i < s.length() && isNameChar(s.charAt(i))) {
        i++;
      }
      String name = s.substring(start, i);
      skipSpace();
      LabelMatcher.Op op;
      if (s.startsWith("=~", i)) {
        op = LabelMatcher.Op.RE;
      } else if (s.startsWith("!~", i)) {
        op = LabelMatcher.Op.NRE;
      } else if (s.startsWith("!=", i)) {
        op = LabelMatcher.Op.NEQ;
      } else if (s.startsWith("=", i)) {
        op = LabelMatcher.Op.EQ;
      } else {
        throw error(i, i >= s.length() ? "unexpected end of input, expected one of = != =~ !~"
            : "unexpected " + quote(s.charAt(i)) + ", expected one of = != =~ !~");
      }
      i += op.text.length();
      skipSpace();
      int valueAt = i;
      String value = string();
      try {
        return LabelMatcher.of(name, op, value);
      } catch (IllegalArgumentException e) {
        throw error(valueAt, "label " + name + " " + op.text + ": " + e.getMessage());
      }
    }

    /** A Go string literal: "..." with escapes, '...' (same escapes), or `raw`. */
    private String string() {
      if (i >= s.length()) {
        throw error(i, "unexpected end of input, expected a quoted string");
      }
      char q = s.charAt(i);
      if (q != '"' && q != '\'' && q != '`') {
        throw error(i, "unexpected " + quote(q) + ", expected a quoted string");
      }
      int open = i;
      i++;
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error(open, "unterminated quoted string");
        }
        char c = s.charAt(i);
        if (c == q) {
          i++;
          return b.toString();
        }
        if (q == '`') {
          b.append(c);
          i++;
          continue;
        }
        if (c == '\n') {
          throw error(i, "newline in quoted string");
        }
        if (c != '\\') {
          b.append(c);
          i++;
          continue;
        }
        int esc = i;
        if (i + 1 >= s.length()) {
          throw error(open, "unterminated quoted string");
        }
        char e = s.charAt(i + 1);
        i += 2;
        switch (e) {
          case 'a' -> b.append('\u0007');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'v' -> b.append('\u000b');
          case '\\' -> b.append('\\');
          case '"', '\'' -> {
            if (e != q) {
              throw error(esc, "unknown escape sequence \\" + e);
            }
            b.append(e);
          }
          case 'x' -> b.append((char) hex(esc, 2));
          case 'u' -> b.appendCodePoint(codePoint(esc, hex(esc, 4)));
          case 'U' -> b.appendCodePoint(codePoint(esc, hex(esc, 8)));
          default -> {
            if (e >= '0' && e <= '7') {
              if (i + 1 >= s.length() || !isOctal(s.charAt(i)) || !isOctal(s.charAt(i + 1))) {
                throw error(esc, "invalid octal escape: expected three octal digits");
              }
              int v = (e - '0') * 64 + (s.charAt(i) - '0') * 8 + (s.charAt(i + 1) - '0');
              if (v > 255) {
                throw error(esc, "octal escape value > 255");
              }
              b.append((char) v);
              i += 2;
            } else {
              throw error(esc, "unknown escape sequence \\" + e);
            }
          }
        }
      }
    }

    private int hex(int esc, int digits) {
      if (i + digits > s.length()) {
        throw error(esc, "invalid escape: expected " + digits + " hex digits");
      }
      int v = 0;
      for (int k = 0; k < digits; k++) {
        int d = Character.digit(s.charAt(i + k), 16);
        if (d < 0) {
          throw error(esc, "invalid escape: expected " + digits + " hex digits");
        }
        v = v * 16 + d;
      }
      i += digits;
      return v;
    }

    private int codePoint(int esc, int v) {
      if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) {
        throw error(esc, "escape sequence is invalid Unicode code point");
      }
      return v;
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private InvalidQueryException error(int at, String message) {
      int line = 1;
      int col = 1;
      for (int k = 0; k < at && k < s.length(); k++) {
        if (s.charAt(k) == '\n') {
          line++;
          col = 1;
        } else {
          col++;
        }
      }
      return new InvalidQueryException(line + ":" + col + ": " + message);
    }

    private static boolean isOctal(char c) {
      return c >= '0' && c <= '7';
    }

    private static boolean isNameStart(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isNameChar(char c) {
      return isNameStart(c) || (c >= '0' && c <= '9');
    }

    private static String quote(char c) {
      return c == '"' ? "'\"'" : "\"" + c + "\"";
    }
  }
}
