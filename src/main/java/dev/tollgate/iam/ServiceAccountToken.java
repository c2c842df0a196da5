package dev.tollgate.iam;

import java.time.Instant;

/**
 * A token's metadata. The token itself is never stored; {@code sha256} is the hex SHA-256 of it
 * and stays inside the server (it is not part of any API response).
 */
public record ServiceAccountToken(
    String id,
    String serviceAccountId,
    String name,
    String sha256,
    String projectId,
    Instant createdAt,
    String createdBy,
    Instant expiresAt,
    Instant lastUsedAt) {}
