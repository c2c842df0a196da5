package dev.tollgate.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.crypto.KeyEncryptionKey;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The legacy signing key is stored encrypted (AES-256-GCM) with a key-encryption key from a file,
 * the environment's value, or a file generated in the data directory: a copy of the database alone
 * cannot sign tokens. Through the real server on both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class LegacyKeyEncryptionTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  final AtomicReference<ServerConfig> config = new AtomicReference<>();

  TestServer start(java.util.function.UnaryOperator<ServerConfig> tweak) throws Exception {
    return TestServer.start(backend, dir, c -> {
      ServerConfig t = tweak.apply(c);
      config.set(t);
      return t;
    });
  }

  /** Every stored private key (retired ones have none). */
  static List<String> storedPrivateKeys(TollgateServer s) {
    return s.components().db().jdbi().withHandle(h -> h.createQuery(
        "SELECT private_key FROM legacy_token_keys WHERE private_key IS NOT NULL").mapTo(String.class).list());
  }

  static String createToken(TestServer s) {
    var r = s.owner().post("/v1/projects/" + s.defaultProjectId() + "/tokens", Api.json("name", "agent"));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().at("/token/token").asText();
  }

  static void write(String url, String token) throws Exception {
    LabelSet labels = LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("kek_cpu")).build();
    GrpcTestClients.stub(url, token, null, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(labels)
            .addSamples(RawSample.newBuilder().setRawProfile(
                ByteString.copyFrom(Files.readAllBytes(TestData.pprofFiles().getFirst()))))).build());
  }

  static Path keyFile(Path p, String base64) throws Exception {
    Files.writeString(p, base64 + "\n");
    return p;
  }

  @Test
  void withoutAConfiguredKey_aKeyFileIsGenerated0600_andTheDatabaseHoldsOnlyCiphertext() throws Exception {
    Path generated = dir.resolve("data/legacy-key-encryption.key");
    try (TestServer server = start(c -> c)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(generated))).isEqualTo("rw-------");
      String plain = server.server().components().legacyState().current().activeKey().privateKeyPkcs8();
      KeyEncryptionKey kek = KeyEncryptionKey.parse(Files.readString(generated), "test", new SecureRandom());
      List<String> stored = storedPrivateKeys(server.server());
      assertThat(stored).hasSize(1);
      assertThat(stored.getFirst()).startsWith("v1:" + kek.fingerprint() + ":").doesNotContain(plain);
      String token = createToken(server);
      write(server.url(), token);
      String keyText = Files.readString(generated);

      server.restart();
      write(server.url(), token);
      assertThat(Files.readString(generated)).as("the generated key is kept, not replaced").isEqualTo(keyText);
    }
  }

  @Test
  void aConfiguredKeyFile_orTheKeyItself_isUsed_andNothingIsGenerated() throws Exception {
    String base64 = KeyEncryptionKey.generate(new SecureRandom());
    Path outside = keyFile(dir.resolve("kek.b64"), base64);
    String fingerprint = KeyEncryptionKey.parse(base64, "test", new SecureRandom()).fingerprint();
    String token;
    try (TestServer server = start(c -> c.withLegacyKeyEncryptionKeyFile(outside))) {
      assertThat(storedPrivateKeys(server.server()).getFirst()).startsWith("v1:" + fingerprint + ":");
      assertThat(dir.resolve("data/legacy-key-encryption.key")).doesNotExist();
      token = createToken(server);
    }
    // The same key given as a value (what TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY carries) opens it too.
    try (TollgateServer again = TollgateServer.start(config.get().withLegacyKeyEncryptionKey(base64))) {
      write(again.url(), token);
      assertThat(dir.resolve("data/legacy-key-encryption.key")).doesNotExist();
    }
  }

  @Test
  void aKeyStoredInPlainTextByAnEarlierVersion_isEncryptedAtStart_andKeepsSigning() throws Exception {
    try (TestServer server = start(c -> c)) {
      String token = createToken(server);
      SigningKey active = server.server().components().legacyState().current().activeKey();
      // What a version before the encryption left in the row.
      server.server().components().db().jdbi().useHandle(h -> h.createUpdate(
          "UPDATE legacy_token_keys SET private_key = :p WHERE id = :id")
          .bind("p", active.privateKeyPkcs8()).bind("id", active.id()).execute());
      assertThat(storedPrivateKeys(server.server())).containsExactly(active.privateKeyPkcs8());

      server.restart();
      assertThat(storedPrivateKeys(server.server())).singleElement().asString().startsWith("v1:")
          .doesNotContain(active.privateKeyPkcs8());
      write(server.url(), token);
      write(server.url(), createToken(server));
      assertThat(server.server().components().legacyState().current().activeKey().id()).isEqualTo(active.id());
    }
  }

  @Test
  void aWrongKey_orNoKeyOnAnotherNode_isAClearStartupError_andNothingIsOverwritten() throws Exception {
    List<String> before;
    String token;
    try (TestServer server = start(c -> c)) {
      token = createToken(server);
      before = storedPrivateKeys(server.server());
    }
    Path wrong = keyFile(dir.resolve("wrong.b64"), KeyEncryptionKey.generate(new SecureRandom()));
    assertThatThrownBy(() -> TollgateServer.start(config.get().withLegacyKeyEncryptionKeyFile(wrong)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot decrypt the legacy signing key")
        .hasMessageContaining("encrypted with the key of fingerprint")
        .hasMessageContaining("--legacy-key-encryption-key-file");
    assertThatThrownBy(() -> TollgateServer.start(config.get().withLegacyKeyEncryptionKeyFile(dir.resolve("missing"))))
        .hasMessageContaining("does not exist");
    Path notAKey = keyFile(dir.resolve("short.b64"), "c2hvcnQ=");
    assertThatThrownBy(() -> TollgateServer.start(config.get().withLegacyKeyEncryptionKeyFile(notAKey)))
        .hasMessageContaining("holds 5 bytes; it must hold 32");
    // A second server on the same database with its own data directory and no key: refused, and
    // no useless key is generated for it.
    ServerConfig otherNode = config.get().withPort(0).withDataDir(dir.resolve("node-b")).withAdminPassword(null)
        .withTlsFiles(null, null).withExternalUrl(null).withBootstrapTokenFile(null).withNodeUrl(null)
        .withLegacyKeyEncryptionKeyFile(null).withLegacyKeyEncryptionKey(null);
    assertThatThrownBy(() -> TollgateServer.start(otherNode))
        .hasMessageContaining("the legacy signing key in the database is encrypted, and this server has no"
            + " key-encryption key");
    assertThat(dir.resolve("node-b/legacy-key-encryption.key")).doesNotExist();

    try (TollgateServer right = TollgateServer.start(config.get())) {
      assertThat(storedPrivateKeys(right)).isEqualTo(before);
      write(right.url(), token);
    }
  }
}
