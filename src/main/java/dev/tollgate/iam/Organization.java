package dev.tollgate.iam;

import java.time.Instant;

/**
 * An organization and its settings.
 *
 * @param maxTokenLifetimeSeconds the longest token lifetime allowed, or null for no limit
 * @param legacyTokensFrozen when true, no new legacy project tokens may be created
 */
public record Organization(
    String id, String name, Instant createdAt, Long maxTokenLifetimeSeconds, boolean legacyTokensFrozen) {}
