package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.util.Locale;

/**
 * Who a role binding is for, written as IAM.md spells it: {@code user:<provider>:<email>} or
 * {@code serviceaccount:<name>}. New kinds of identity become new permitted forms here.
 */
public sealed interface Subject permits Subject.User, Subject.ServiceAccount {

  /** The canonical string form stored in bindings. */
  String value();

  /** A human, e.g. {@code user:local:admin@localhost}. Emails compare lower-cased. */
  record User(String provider, String email) implements Subject {
    public User {
      requireNonNull(provider, "provider");
      requireNonNull(email, "email");
      email = email.toLowerCase(Locale.ROOT);
    }

    public static User local(String email) {
      return new User("local", email);
    }

    @Override
    public String value() {
      return "user:" + provider + ":" + email;
    }
  }

  /** A machine identity of one organization, e.g. {@code serviceaccount:production-scraper}. */
  record ServiceAccount(String name) implements Subject {
    public ServiceAccount {
      requireNonNull(name, "name");
    }

    @Override
    public String value() {
      return "serviceaccount:" + name;
    }
  }

  /** Parses the string form; a bad value is an INVALID_ARGUMENT on field {@code subject}. */
  static Subject parse(String s) {
    if (s == null || s.isBlank()) {
      throw TollgateException.invalid("subject", "subject is required");
    }
    String v = s.trim();
    if (v.startsWith("serviceaccount:")) {
      String name = v.substring("serviceaccount:".length());
      if (!Names.isServiceAccountName(name)) {
        throw TollgateException.invalid("subject",
            "subject serviceaccount:<name> needs a name of 1-63 lowercase letters, digits and hyphens");
      }
      return new ServiceAccount(name);
    }
    if (v.startsWith("user:")) {
      String rest = v.substring("user:".length());
      int colon = rest.indexOf(':');
      if (colon <= 0 || !Names.isProvider(rest.substring(0, colon)) || !Names.isEmail(rest.substring(colon + 1))) {
        throw TollgateException.invalid("subject", "subject must be user:<provider>:<email>");
      }
      return new User(rest.substring(0, colon), rest.substring(colon + 1));
    }
    throw TollgateException.invalid("subject",
        "subject must be serviceaccount:<name> or user:<provider>:<email>");
  }
}
