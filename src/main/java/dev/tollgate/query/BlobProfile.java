package dev.tollgate.query;

import dev.tollgate.proto.pprof.Profile;
import java.util.SortedMap;

/**
 * One pprof profile decoded from a stored blob.
 *
 * @param labels the label set it belongs to, or null when the blob holds one series' profile (pprof blobs)
 * @param profileType its one profile type, or null when every sample type of the profile is a type
 *     (pprof blobs; types follow ingestion's naming from {@code __name__} and the sample types)
 */
record BlobProfile(SortedMap<String, String> labels, String profileType, Profile profile) {}
