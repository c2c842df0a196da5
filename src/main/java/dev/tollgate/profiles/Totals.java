package dev.tollgate.profiles;

import java.time.Instant;

/**
 * Durable totals for one key (a source, or a node label value).
 *
 * @param key the source id, or the node label value
 * @param name the source name (for sources), or the node again
 */
public record Totals(String key, String name, long profiles, long bytes, Instant lastReceived) {}
