package dev.tollgate.objectstore;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The objects under one bucket and prefix, through the AWS SDK's sync client. Objects are written
 * once and never replaced: every put is conditional ({@code If-None-Match: *}), so two servers can
 * never overwrite each other's object. Ranges read are cached (bounded by bytes), so a query that
 * reads the same profile again does not fetch it again.
 */
public final class ObjectStore implements AutoCloseable {
  private final ObjectStoreSettings settings;
  private final S3Client s3;
  private final Cache<Range, byte[]> ranges;
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();

  private record Range(String key, long offset, int length) {}

  public ObjectStore(ObjectStoreSettings settings) {
    this.settings = requireNonNull(settings, "settings");
    AwsCredentialsProvider credentials = settings.accessKeyId() == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
    var builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)))
        .credentialsProvider(credentials)
        .region(region(settings))
        .forcePathStyle(settings.pathStyle())
        // Checksums only where S3 requires them: S3-compatible servers differ in the trailing ones.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    this.s3 = builder.build();
    this.ranges = Caffeine.newBuilder().maximumWeight(settings.cacheBytes())
        .weigher((Range r, byte[] b) -> b.length + 64).build();
  }

  private static Region region(ObjectStoreSettings settings) {
    if (settings.region() != null) {
      return Region.of(settings.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      return Region.US_EAST_1; // S3-compatible servers mostly ignore it, but the signature needs one
    }
  }

  public ObjectStoreSettings settings() {
    return settings;
  }

  /** The full key of {@code relative} under the configured prefix. */
  public String key(String relative) {
    return settings.key(relative);
  }

  /**
   * Creates the object from {@code file} unless one of that key exists. Returns false when one
   * does (the store answered 412 to {@code If-None-Match: *}); its content is left as it is.
   */
  public boolean putIfAbsent(String key, Path file) {
    return put(key, RequestBody.fromFile(file));
  }

  /** As {@link #putIfAbsent(String, Path)}, from memory. */
  public boolean putIfAbsent(String key, byte[] bytes) {
    return put(key, RequestBody.fromBytes(bytes));
  }

  private boolean put(String key, RequestBody body) {
    try {
      s3.putObject(b -> b.bucket(settings.bucket()).key(key).ifNoneMatch("*"), body);
      puts.incrementAndGet();
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        return false;
      }
      throw new ObjectStoreException("object storage refused to store " + key + ": " + e.statusCode() + " "
          + e.awsErrorDetails().errorCode(), e);
    } catch (SdkException e) {
      throw new ObjectStoreException("object storage cannot be reached to store " + key + ": " + e.getMessage(), e);
    }
  }

  /** {@code length} bytes of the object from {@code offset} (a ranged GET, or the cache). */
  public byte[] readRange(String key, long offset, int length) {
    Range r = new Range(key, offset, length);
    byte[] cached = ranges.getIfPresent(r);
    if (cached != null) {
      return cached;
    }
    byte[] bytes;
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(settings.bucket()).key(key)
        .range("bytes=" + offset + "-" + (offset + length - 1)))) {
      gets.incrementAndGet();
      bytes = in.readNBytes(length);
    } catch (NoSuchKeyException e) {
      throw new MissingObjectException(key);
    } catch (S3Exception e) {
      throw new ObjectStoreException("object storage refused to read " + key + ": " + e.statusCode(), e);
    } catch (SdkException | IOException e) {
      throw new ObjectStoreException("object storage cannot be reached to read " + key + ": " + e.getMessage(), e);
    }
    if (bytes.length != length) {
      throw new ObjectStoreException("object " + key + " ends inside the range " + offset + "+" + length, null);
    }
    ranges.put(r, bytes);
    return bytes;
  }

  /** The whole object as a stream (the caller closes it). */
  public InputStream open(String key) {
    try {
      gets.incrementAndGet();
      return s3.getObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (NoSuchKeyException e) {
      throw new MissingObjectException(key);
    } catch (S3Exception e) {
      throw new ObjectStoreException("object storage refused to read " + key + ": " + e.statusCode(), e);
    } catch (SdkException e) {
      throw new ObjectStoreException("object storage cannot be reached to read " + key + ": " + e.getMessage(), e);
    }
  }

  /** Whether the object holds exactly the bytes of {@code file} (after a refused put: our own earlier upload?). */
  public boolean sameContent(String key, Path file) throws IOException {
    try (InputStream remote = open(key); InputStream local = Files.newInputStream(file)) {
      byte[] a = new byte[1 << 16];
      byte[] b = new byte[1 << 16];
      while (true) {
        int n = local.readNBytes(a, 0, a.length);
        int m = remote.readNBytes(b, 0, b.length);
        if (n != m || !Arrays.equals(a, 0, n, b, 0, m)) {
          return false;
        }
        if (n < a.length) {
          return true;
        }
      }
    }
  }

  /** Deletes the object (no error when it is already gone). */
  public void delete(String key) {
    try {
      s3.deleteObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (SdkException e) {
      throw new ObjectStoreException("object storage cannot delete " + key + ": " + e.getMessage(), e);
    }
    ranges.asMap().keySet().removeIf(r -> r.key().equals(key));
  }

  /** Whether an object of that key exists. */
  public boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(settings.bucket()).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new ObjectStoreException("object storage refused to look up " + key + ": " + e.statusCode(), e);
    } catch (SdkException e) {
      throw new ObjectStoreException("object storage cannot be reached to look up " + key + ": " + e.getMessage(), e);
    }
  }

  /** Ranged and whole GETs sent so far (cache hits send none). */
  public long gets() {
    return gets.get();
  }

  /** Objects created so far. */
  public long puts() {
    return puts.get();
  }

  @Override
  public void close() {
    s3.close();
  }

  /** The index points at an object that is not there (deleted by retention meanwhile, or lost). */
  public static final class MissingObjectException extends RuntimeException {
    MissingObjectException(String key) {
      super("object " + key + " does not exist", null, false, false);
    }
  }
}
