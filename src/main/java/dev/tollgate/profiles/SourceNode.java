package dev.tollgate.profiles;

import java.time.Instant;

/** A node (the {@code node} label) that sent stored profiles with one source token. */
public record SourceNode(String sourceId, String node, long profiles, Instant lastReceived) {}
