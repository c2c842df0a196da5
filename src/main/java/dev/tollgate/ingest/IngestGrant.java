package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/**
 * What an authorized ingestion call may act as.
 *
 * @param projectId the project the data goes to
 * @param organizationId the project's organization
 * @param sourceId the id of the token used (never the token itself)
 * @param sourceName who the token belongs to, e.g. {@code serviceaccount:production-scraper} or
 *     {@code legacy-token:<name>}
 */
public record IngestGrant(UUID projectId, String organizationId, String sourceId, String sourceName) {
  public IngestGrant {
    requireNonNull(projectId, "projectId");
    requireNonNull(organizationId, "organizationId");
    requireNonNull(sourceId, "sourceId");
    requireNonNull(sourceName, "sourceName");
  }
}
