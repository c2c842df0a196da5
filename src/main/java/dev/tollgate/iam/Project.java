package dev.tollgate.iam;

import java.time.Instant;

/** A project of an organization; its id is a UUID. */
public record Project(String id, String organizationId, String name, Instant createdAt) {}
