package dev.tollgate.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store client against a real S3 server (s3proxy): conditional writes, ranged reads, the cache. */
class ObjectStoreTest {
  @TempDir static Path dir;
  static S3Server s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(dir);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void twoServersRacingForOneKey_oneCreatesIt_theOtherIsRefused_andTheFirstBytesStay() throws Exception {
    int racers = 2;
    List<ObjectStore> stores = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      stores.add(new ObjectStore(s3.settings("race")));
    }
    String key = stores.getFirst().key("profiles/p/node/000000000001-1.seg");
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      ObjectStore store = stores.get(i);
      byte[] bytes = ("written by server " + i).getBytes(StandardCharsets.UTF_8);
      results.add(pool.submit(() -> {
        go.await();
        return store.putIfAbsent(key, bytes);
      }));
    }
    go.countDown();
    int created = 0;
    int winner = -1;
    for (int i = 0; i < racers; i++) {
      if (results.get(i).get()) {
        created++;
        winner = i;
      }
    }
    pool.shutdown();
    assertThat(created).isEqualTo(1);
    byte[] stored = stores.getFirst().open(key).readAllBytes();
    assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo("written by server " + winner);

    // A later put of the same key, with other bytes, is refused too and changes nothing.
    assertThat(stores.get(1).putIfAbsent(key, "overwrite?".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(stores.get(1).open(key).readAllBytes()).isEqualTo(stored);
    stores.forEach(ObjectStore::close);
  }

  @Test
  void rangesAreReadByRange_andARangeReadTwiceIsFetchedOnce() throws Exception {
    try (ObjectStore store = new ObjectStore(s3.settings("ranges"))) {
      byte[] content = new byte[100_000];
      for (int i = 0; i < content.length; i++) {
        content[i] = (byte) (i * 31);
      }
      Path file = dir.resolve("segment");
      Files.write(file, content);
      String key = store.key("profiles/p/n/s.seg");
      assertThat(store.putIfAbsent(key, file)).isTrue();
      assertThat(store.sameContent(key, file)).isTrue();
      Files.write(file, new byte[] {1, 2, 3});
      assertThat(store.sameContent(key, file)).isFalse();

      long before = store.gets();
      assertThat(store.readRange(key, 70_000, 1000)).isEqualTo(java.util.Arrays.copyOfRange(content, 70_000, 71_000));
      assertThat(store.readRange(key, 70_000, 1000)).isEqualTo(java.util.Arrays.copyOfRange(content, 70_000, 71_000));
      assertThat(store.gets() - before).isEqualTo(1);
      assertThat(store.readRange(key, 0, 10)).isEqualTo(java.util.Arrays.copyOf(content, 10));
      assertThat(store.gets() - before).isEqualTo(2);

      store.delete(key);
      assertThat(store.exists(key)).isFalse();
      assertThatThrownBy(() -> store.readRange(key, 0, 10)).isInstanceOf(ObjectStore.MissingObjectException.class);
    }
  }

  @Test
  void anUnreachableStore_isAnObjectStoreException() {
    ObjectStoreSettings nowhere = ObjectStoreSettings.of("s3://b/p").withEndpoint(java.net.URI.create("http://127.0.0.1:9"), true)
        .withRegion("us-east-1").withCredentials("a", "b");
    try (ObjectStore store = new ObjectStore(nowhere)) {
      assertThatThrownBy(() -> store.putIfAbsent("k", new byte[] {1})).isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("cannot be reached");
    }
  }

  @Test
  void urlsAreParsed_andBadOnesRefusedClearly() {
    ObjectStoreSettings s = ObjectStoreSettings.of("s3://bucket/some/prefix/");
    assertThat(s.bucket()).isEqualTo("bucket");
    assertThat(s.key("x")).isEqualTo("some/prefix/x");
    assertThat(ObjectStoreSettings.of("s3://bucket").key("x")).isEqualTo("x");
    assertThatThrownBy(() -> ObjectStoreSettings.of("http://bucket/p")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3://bucket/prefix");
    assertThat(s.withCredentials("id", "very-secret").toString()).doesNotContain("very-secret");
  }
}
