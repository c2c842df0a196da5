package dev.tollgate.iam;

import dev.tollgate.errors.TollgateException;
import java.util.UUID;
import java.util.regex.Pattern;

/** The naming rules of IAM objects, as pure checks whose failures name the field. */
public final class Names {
  private Names() {}

  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[a-z0-9-]{1,63}");
  private static final Pattern ROLE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s:]{1,64}@[^@\\s:]{1,255}");

  /**
   * A display name: 1-100 characters after trimming, none of them a control character (NUL
   * included), a bidirectional control (which makes a name read differently from what it is, e.g.
   * in the audit log) or half of a surrogate pair. Returns it trimmed.
   */
  public static String displayName(String field, String value) {
    if (value == null) {
      throw TollgateException.invalid(field, field + " is required");
    }
    String v = value.strip();
    if (v.isEmpty()) {
      throw TollgateException.invalid(field, field + " must not be blank");
    }
    if (v.length() > 100) {
      throw TollgateException.invalid(field, field + " must be 1-100 characters");
    }
    String bad = unsafeCharacter(v);
    if (bad != null) {
      throw TollgateException.invalid(field, field + " must not contain " + bad);
    }
    return v;
  }

  /**
   * What is wrong with a string meant for people to read, or null: a control character (C0, DEL,
   * C1), a bidirectional control (U+200E/F, U+061C, U+202A-202E, U+2066-2069), or a lone surrogate.
   */
  public static String unsafeCharacter(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
        i++;
        continue;
      }
      if (Character.isSurrogate(c)) {
        return "a lone surrogate (half of a UTF-16 pair)";
      }
      if (Character.isISOControl(c)) {
        return "control characters (U+" + String.format("%04X", (int) c) + ")";
      }
      if (c == '\u200E' || c == '\u200F' || c == '\u061C' || (c >= '\u202A' && c <= '\u202E')
          || (c >= '\u2066' && c <= '\u2069')) {
        return "bidirectional control characters (U+" + String.format("%04X", (int) c) + ")";
      }
    }
    return null;
  }

  public static boolean isServiceAccountName(String s) {
    return s != null && SERVICE_ACCOUNT.matcher(s).matches();
  }

  public static String serviceAccountName(String value) {
    if (value == null || value.isBlank()) {
      throw TollgateException.invalid("name", "name must not be blank");
    }
    if (!isServiceAccountName(value)) {
      throw TollgateException.invalid("name",
          "name must be 1-63 lowercase letters, digits and hyphens (e.g. production-scraper)");
    }
    return value;
  }

  /** The provider of a {@code user:<provider>:<email>} subject, e.g. {@code local}. */
  public static boolean isProvider(String s) {
    return s != null && PROVIDER.matcher(s).matches();
  }

  public static String roleName(String value) {
    if (value == null || value.isBlank()) {
      throw TollgateException.invalid("name", "role name must not be blank");
    }
    if (!ROLE_NAME.matcher(value).matches()) {
      throw TollgateException.invalid("name",
          "role name must be 1-63 lowercase letters, digits and hyphens, starting with a letter or digit");
    }
    return value;
  }

  public static boolean isEmail(String s) {
    return s != null && EMAIL.matcher(s).matches() && unsafeCharacter(s) == null;
  }

  public static String email(String value) {
    if (value == null || !isEmail(value.strip())) {
      String bad = value == null ? null : unsafeCharacter(value);
      throw TollgateException.invalid("email", bad == null ? "email must look like name@host"
          : "email must not contain " + bad);
    }
    return value.strip().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a UUID id; anything else is an INVALID_ARGUMENT naming the field. */
  public static UUID uuid(String field, String value) {
    if (value == null || value.length() != 36) {
      throw TollgateException.invalid(field, field + " must be a UUID");
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw TollgateException.invalid(field, field + " must be a UUID");
    }
  }
}
