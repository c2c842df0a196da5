package dev.tollgate.ingest;

/**
 * Decides whether one ingestion call may act; implemented by the server wiring over tokens and
 * role bindings. Implementations must not echo the token in any message.
 */
public interface CallAuthorizer {
  /** Permission a profile RPC (and a panic report) needs on the project. */
  String PROFILE_WRITE = "profile.write";
  /** Permission a debug-info RPC needs on the project. */
  String DEBUGINFO_WRITE = "debuginfo.write";

  /**
   * @param authorization the raw {@code authorization} metadata value, or null when absent
   * @param projectIdHeader the {@code projectid} metadata value, or null when absent
   * @param clientIp the caller's address, for the audit log of refusals (may be null)
   * @param permission {@link #PROFILE_WRITE} or {@link #DEBUGINFO_WRITE}
   * @return the grant naming the project and the caller
   * @throws IngestRefusedException with UNAUTHENTICATED, INVALID_ARGUMENT or PERMISSION_DENIED
   */
  IngestGrant authorize(String authorization, String projectIdHeader, String clientIp, String permission);
}
