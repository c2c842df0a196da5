package dev.tollgate.ingest;

import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.UUID;

/**
 * Guards the read side of ingestion (stats, series, profile downloads) with {@code profile.read} on
 * the project; implemented by the server wiring over sessions, tokens and role bindings.
 */
public interface ProjectReadAccess {
  /**
   * Returns normally when the caller of {@code ctx} may read {@code projectId}; otherwise throws the
   * implementation's own exception, which its exception handler maps to 401, 403 or 404.
   */
  void requireRead(ServiceRequestContext ctx, UUID projectId);
}
