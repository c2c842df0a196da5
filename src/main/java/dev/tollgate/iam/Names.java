package dev.tollgate.iam;

import dev.tollgate.errors.TollgateException;
import java.util.UUID;
import java.util.regex.Pattern;

/** The naming rules of IAM objects, as pure checks whose failures name the field. */
public final class Names {
  private Names() {}

  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[a-z0-9-]{1,63}");
  private static final Pattern ROLE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s:]{1,64}@[^@\\s:]{1,255}");

  /** A display name: 1-100 characters after trimming, no control characters. Returns it trimmed. */
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
    for (int i = 0; i < v.length(); i++) {
      if (Character.isISOControl(v.charAt(i))) {
        throw TollgateException.invalid(field, field + " must not contain control characters");
      }
    }
    return v;
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
    return s != null && EMAIL.matcher(s).matches();
  }

  public static String email(String value) {
    if (value == null || !isEmail(value.strip())) {
      throw TollgateException.invalid("email", "email must look like name@host");
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
