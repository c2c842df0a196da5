package dev.tollgate.objectstore;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how profiles and debug info go to object storage ({@code --object-store-*} flags).
 *
 * @param bucket the bucket of {@code s3://bucket/prefix}
 * @param prefix the key prefix, without leading or trailing slash; may be empty
 * @param endpoint null for AWS itself; else e.g. {@code http://minio:9000}
 * @param region null for the SDK's default chain ({@code AWS_REGION}, profile); {@code us-east-1} when none
 * @param pathStyle address buckets as {@code endpoint/bucket} (MinIO, s3proxy) instead of {@code bucket.endpoint}
 * @param accessKeyId null for the SDK's default credentials chain
 * @param secretAccessKey goes with {@code accessKeyId}
 * @param sealBytes a local segment is sealed and uploaded once it reaches this size
 * @param sealAge a local segment is sealed and uploaded once it is this old
 * @param ackAfterUpload a write is acknowledged only once its bytes are in object storage
 * @param maxBacklogBytes with local buffering, writes are refused (UNAVAILABLE) while more than this many
 *     bytes of sealed segments wait for upload
 * @param cacheBytes object ranges read are kept in memory up to this total
 */
public record ObjectStoreSettings(
    String bucket,
    String prefix,
    URI endpoint,
    String region,
    boolean pathStyle,
    String accessKeyId,
    String secretAccessKey,
    long sealBytes,
    Duration sealAge,
    boolean ackAfterUpload,
    long maxBacklogBytes,
    long cacheBytes) {

  public static final long DEFAULT_SEAL_BYTES = 64L << 20;
  public static final Duration DEFAULT_SEAL_AGE = Duration.ofSeconds(10);
  public static final long DEFAULT_MAX_BACKLOG_BYTES = 4L << 30;
  public static final long DEFAULT_CACHE_BYTES = 256L << 20;

  public ObjectStoreSettings {
    requireNonNull(bucket, "bucket");
    requireNonNull(prefix, "prefix");
    requireNonNull(sealAge, "sealAge");
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("--object-store-access-key-id and --object-store-secret-access-key go together");
    }
    if (sealBytes <= 0 || sealAge.isNegative() || sealAge.isZero()) {
      throw new IllegalArgumentException("--object-store-seal-bytes and --object-store-seal-age must be positive");
    }
    if (maxBacklogBytes <= 0 || cacheBytes < 0) {
      throw new IllegalArgumentException("--object-store-max-backlog must be positive, --object-store-cache-bytes >= 0");
    }
  }

  /** Settings for {@code s3://bucket/prefix} with the defaults, the SDK's credentials and region. */
  public static ObjectStoreSettings of(String url) {
    URI u;
    try {
      u = URI.create(requireNonNull(url, "url"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--object-store-url must be s3://bucket/prefix: " + e.getMessage());
    }
    if (!"s3".equals(u.getScheme()) || u.getHost() == null || u.getHost().isBlank()) {
      throw new IllegalArgumentException("--object-store-url must be s3://bucket/prefix, e.g. s3://profiles/tollgate");
    }
    String prefix = u.getPath() == null ? "" : u.getPath().replaceAll("^/+|/+$", "");
    return new ObjectStoreSettings(u.getHost(), prefix, null, null, false, null, null, DEFAULT_SEAL_BYTES,
        DEFAULT_SEAL_AGE, false, DEFAULT_MAX_BACKLOG_BYTES, DEFAULT_CACHE_BYTES);
  }

  public ObjectStoreSettings withEndpoint(URI value, boolean pathStyleAccess) {
    return new ObjectStoreSettings(bucket, prefix, value, region, pathStyleAccess, accessKeyId, secretAccessKey,
        sealBytes, sealAge, ackAfterUpload, maxBacklogBytes, cacheBytes);
  }

  public ObjectStoreSettings withRegion(String value) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, value, pathStyle, accessKeyId, secretAccessKey,
        sealBytes, sealAge, ackAfterUpload, maxBacklogBytes, cacheBytes);
  }

  public ObjectStoreSettings withCredentials(String keyId, String secret) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, region, pathStyle, keyId, secret,
        sealBytes, sealAge, ackAfterUpload, maxBacklogBytes, cacheBytes);
  }

  public ObjectStoreSettings withSeal(long bytes, Duration age) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, region, pathStyle, accessKeyId, secretAccessKey,
        bytes, age, ackAfterUpload, maxBacklogBytes, cacheBytes);
  }

  public ObjectStoreSettings withAckAfterUpload(boolean on) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, region, pathStyle, accessKeyId, secretAccessKey,
        sealBytes, sealAge, on, maxBacklogBytes, cacheBytes);
  }

  public ObjectStoreSettings withMaxBacklogBytes(long value) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, region, pathStyle, accessKeyId, secretAccessKey,
        sealBytes, sealAge, ackAfterUpload, value, cacheBytes);
  }

  public ObjectStoreSettings withCacheBytes(long value) {
    return new ObjectStoreSettings(bucket, prefix, endpoint, region, pathStyle, accessKeyId, secretAccessKey,
        sealBytes, sealAge, ackAfterUpload, maxBacklogBytes, value);
  }

  /** The full key of {@code relative} under the prefix. */
  public String key(String relative) {
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }

  @Override
  public String toString() {
    return "ObjectStoreSettings[s3://" + bucket + "/" + prefix + ", endpoint=" + endpoint + ", ackAfterUpload="
        + ackAfterUpload + "]"; // never the secret
  }
}
