package dev.tollgate.query;

/**
 * Decides whether one query call may read the project it names; implemented by the server wiring
 * over bearer tokens, console sessions and role bindings. Implementations never echo a credential.
 */
public interface QueryAccess {
  /**
   * @param authorization the {@code authorization} header, or null
   * @param cookie the {@code cookie} header (the console's session), or null
   * @param csrf the {@code x-csrf-token} header, or null; must match the session when the cookie authenticates
   * @param projectIdHeader the {@code projectid} header, or null
   * @param clientIp the caller's address (may be null)
   * @return the grant of {@code profile.read} in the named project
   * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED, INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED
   */
  QueryGrant authorize(String authorization, String cookie, String csrf, String projectIdHeader, String clientIp);
}
