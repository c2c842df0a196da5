package dev.tollgate.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a lifetime like {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}, {@code 2w}, or an
 * ISO-8601 duration such as {@code P30D}. Zero and negative lifetimes are refused.
 */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})([smhdw])");

  private Durations() {}

  /** @throws IllegalArgumentException with a message naming the accepted forms */
  static Duration parse(String text) {
    String s = text == null ? "" : text.strip();
    Duration d;
    Matcher m = SHORT.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    } else {
      try {
        d = Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + s + "' is not a duration: use e.g. 30d, 12h, 90m, 45s, 2w or P30D");
      }
    }
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("'" + s + "' is not a positive duration");
    }
    return d;
  }
}
