package dev.tollgate.api;

import dev.tollgate.iam.Principal;
import java.util.Optional;

/** Turns a presented bearer token into a principal; empty means refused (reason already audited). */
@FunctionalInterface
public interface BearerAuthenticator {
  Optional<Principal> authenticate(String token, String clientIp);
}
