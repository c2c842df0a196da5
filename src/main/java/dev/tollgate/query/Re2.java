package dev.tollgate.query;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regexes of selectors with RE2's syntax (what Parca and Prometheus use), run on Java's engine.
 * What the two read alike passes through; RE2 spellings Java reads differently are translated;
 * Java-only constructs, which RE2 refuses, are refused here too, with the reason:
 *
 * <ul>
 *   <li>translated: {@code (?P<name>re)} to {@code (?<name>re)}; {@code [[:alpha:]]}-style POSIX
 *       classes (and {@code [[:^alpha:]]}) to {@code \p{Alpha}}; {@code [} inside a class is a
 *       literal in RE2, so it is escaped; {@code .} and {@code $} see only {@code \n} as a line
 *       end ({@link Pattern#UNIX_LINES}), as in RE2.
 *   <li>refused: backreferences ({@code \1}, {@code \k<n>}), lookahead and lookbehind, atomic
 *       groups {@code (?>}, possessive quantifiers ({@code a*+}), {@code &&} class intersection,
 *       {@code \G \Z \R \X \h \H \V \e \c}, flags other than {@code i m s} (RE2's {@code U}
 *       means ungreedy, Java's means Unicode classes), and {@code \p{javaLowerCase}}-style classes.
 * </ul>
 * Whole-value matching is Prometheus's: {@code ^(?:re)$}.
 */
final class Re2 {
  private Re2() {}

  private static final Map<String, String> POSIX = Map.ofEntries(
      Map.entry("alnum", "\\p{Alnum}"), Map.entry("alpha", "\\p{Alpha}"), Map.entry("ascii", "\\p{ASCII}"),
      Map.entry("blank", "\\p{Blank}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("digit", "\\p{Digit}"),
      Map.entry("graph", "\\p{Graph}"), Map.entry("lower", "\\p{Lower}"), Map.entry("print", "\\p{Print}"),
      Map.entry("punct", "\\p{Punct}"), Map.entry("space", "\\s"), Map.entry("upper", "\\p{Upper}"),
      Map.entry("word", "\\w"), Map.entry("xdigit", "\\p{XDigit}"));

  /** The anchored pattern; IllegalArgumentException naming what RE2 would refuse. */
  static Pattern compileAnchored(String re) {
    String java = translate(re);
    try {
      return Pattern.compile("^(?:" + java + ")$", Pattern.UNIX_LINES);
    } catch (PatternSyntaxException e) {
      // the index would point into the anchored pattern, not the user's text
      throw new IllegalArgumentException("invalid regex: " + e.getDescription());
    }
  }

  /** RE2 syntax to the Java syntax that means the same; IllegalArgumentException for what RE2 refuses. */
  static String translate(String re) {
    StringBuilder out = new StringBuilder(re.length() + 8);
    boolean inClass = false;
    int i = 0;
    int n = re.length();
    while (i < n) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) {
          throw new IllegalArgumentException("invalid regex: trailing backslash");
        }
        char e = re.charAt(i + 1);
        if (e == 'Q') { // literal text up to \E, same in both
          int end = re.indexOf("\\E", i + 2);
          int stop = end < 0 ? n : end + 2;
          out.append(re, i, stop);
          i = stop;
          continue;
        }
        if (e >= '1' && e <= '9') {
          throw refused("backreferences (\\" + e + ")");
        }
        switch (e) {
          case 'k' -> throw refused("named backreferences (\\k)");
          case 'G', 'Z', 'R', 'X', 'h', 'H', 'V', 'e', 'c' -> throw refused("\\" + e);
          case 'p', 'P' -> {
            if (i + 2 < n && re.charAt(i + 2) == '{') {
              int close = re.indexOf('}', i + 3);
              if (close < 0) {
                throw new IllegalArgumentException("invalid regex: unclosed \\" + e + "{");
              }
              String name = re.substring(i + 3, close);
              if (name.startsWith("java") || name.startsWith("Is") || name.startsWith("In") || name.contains("=")) {
                throw refused("the Unicode class \\" + e + "{" + name + "}");
              }
              out.append(re, i, close + 1);
              i = close + 1;
              continue;
            }
          }
          default -> { }
        }
        out.append(c).append(e);
        i += 2;
        continue;
      }
      if (inClass) {
        if (c == '[') {
          if (re.startsWith("[:", i)) {
            int close = re.indexOf(":]", i + 2);
            if (close < 0) {
              throw new IllegalArgumentException("invalid regex: unclosed POSIX class [:");
            }
            String name = re.substring(i + 2, close);
            boolean negated = name.startsWith("^");
            String cls = POSIX.get(negated ? name.substring(1) : name);
            if (cls == null) {
              throw new IllegalArgumentException("invalid regex: unknown POSIX class [:" + name + ":]");
            }
            out.append(negated ? negate(cls) : cls);
            i = close + 2;
            continue;
          }
          out.append("\\["); // a literal in RE2; Java would open a nested class
          i++;
          continue;
        }
        if (c == '&' && i + 1 < n && re.charAt(i + 1) == '&') {
          throw refused("class intersection (&&)");
        }
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        i++;
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          out.append(c);
          i++;
          if (i < n && re.charAt(i) == '^') {
            out.append('^');
            i++;
          }
          if (i < n && re.charAt(i) == ']') { // a leading ] is a literal in both
            out.append("\\]");
            i++;
          }
          continue;
        }
        case '(' -> {
          if (i + 1 < n && re.charAt(i + 1) == '?') {
            i = group(re, i, out);
            continue;
          }
        }
        case '*', '+', '?', '}' -> {
          if (i + 1 < n && re.charAt(i + 1) == '+') {
            throw refused("possessive quantifiers (" + c + "+)");
          }
        }
        default -> { }
      }
      out.append(c);
      i++;
    }
    if (inClass) {
      throw new IllegalArgumentException("invalid regex: missing closing ]");
    }
    return out.toString();
  }

  /** A {@code (?...} at {@code i}; returns the index after what it consumed. */
  private static int group(String re, int i, StringBuilder out) {
    String rest = re.substring(i + 2);
    if (rest.startsWith("P<")) {
      out.append("(?<");
      return i + 4;
    }
    if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
      throw refused("lookaround (?" + rest.charAt(0) + ")");
    }
    if (rest.startsWith(">")) {
      throw refused("atomic groups (?>)");
    }
    if (rest.startsWith("<")) {
      throw refused("(?<name> groups; write (?P<name>re)");
    }
    int j = 0;
    while (j < rest.length() && rest.charAt(j) != ':' && rest.charAt(j) != ')') {
      char f = rest.charAt(j);
      if (f != 'i' && f != 'm' && f != 's' && f != '-') {
        throw refused("the flag " + f + " (RE2 knows i, m, s and U; Tollgate accepts i, m and s)");
      }
      j++;
    }
    if (j >= rest.length()) {
      throw new IllegalArgumentException("invalid regex: unclosed (?");
    }
    out.append("(?").append(rest, 0, j + 1);
    return i + 2 + j + 1;
  }

  private static String negate(String cls) {
    return switch (cls) {
      case "\\s" -> "\\S";
      case "\\w" -> "\\W";
      default -> "\\P" + cls.substring(2);
    };
  }

  private static IllegalArgumentException refused(String what) {
    return new IllegalArgumentException("invalid regex: " + what + " not supported (RE2 syntax)");
  }
}
