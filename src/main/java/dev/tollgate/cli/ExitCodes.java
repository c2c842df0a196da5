package dev.tollgate.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes scripts can rely on, and their help text. HTTP statuses become these codes in
 * {@link ApiClient#exitCodeFor(int)}.
 */
public final class ExitCodes {
  public static final int OK = 0;
  /** Only {@code can-i}: the answer is no. */
  public static final int NO = 1;
  public static final int USAGE = 2;
  public static final int UNAUTHENTICATED = 3;
  public static final int PERMISSION_DENIED = 4;
  public static final int NOT_FOUND = 5;
  public static final int CONFLICT = 6;
  public static final int QUOTA_EXCEEDED = 7;
  public static final int SERVER_ERROR = 8;
  public static final int UNREACHABLE = 9;

  /** What exit code 8 means; the README says the same words. */
  static final String SERVER_ERROR_MEANING =
      "refused or failed: bad input (HTTP 400), a server error (5xx), or a local file that cannot be read or written";

  private ExitCodes() {}

  /** Help lines ({@code code -> meaning}) for a client command; {@code withNo} adds the can-i "no". */
  static Map<String, String> help(boolean withNo) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(" " + OK, withNo ? "yes: the permission is granted" : "success");
    if (withNo) {
      m.put(" " + NO, "no: the permission is not granted");
    }
    m.put(" " + USAGE, "usage error (bad flags or arguments)");
    m.put(" " + UNAUTHENTICATED, "authentication failed: no, unknown, deleted or expired token (HTTP 401)");
    m.put(" " + PERMISSION_DENIED, "permission denied (HTTP 403)");
    m.put(" " + NOT_FOUND, "not found (HTTP 404)");
    m.put(" " + CONFLICT, "conflict: already exists, or a precondition failed, or the output file exists (HTTP 409)");
    m.put(" " + QUOTA_EXCEEDED, "quota exceeded (HTTP 429)");
    m.put(" " + SERVER_ERROR, SERVER_ERROR_MEANING);
    m.put(" " + UNREACHABLE, "cannot reach the server");
    return m;
  }
}
