package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The verification state in memory: known keys and known tokens. Like the IAM snapshot, every
 * change reloads it synchronously after its transaction commits, so the ingestion path never
 * runs SQL and a deleted token is refused on the very next call.
 */
public final class LegacyState {
  /** One immutable picture. Keys are ordered active first, then newest first. */
  public record Snapshot(List<SigningKey> keys, List<PublicKey> verificationKeys, Map<String, LegacyToken> tokens,
      SigningKey activeKey, PrivateKey activePrivateKey) {

    static Snapshot of(LegacyTokenStore.Data data) {
      List<SigningKey> keys = data.keys().stream()
          .sorted(Comparator.comparing(SigningKey::active).reversed()
              .thenComparing(SigningKey::createdAt, Comparator.reverseOrder())
              .thenComparing(SigningKey::id))
          .toList();
      SigningKey active = keys.stream().filter(SigningKey::active).findFirst().orElse(null);
      return new Snapshot(keys, keys.stream().map(SigningKey::verificationKey).toList(),
          data.tokens().stream().collect(Collectors.toUnmodifiableMap(LegacyToken::id, Function.identity())),
          active, active == null ? null : active.signingKey());
    }

    public Optional<LegacyToken> token(String id) {
      return Optional.ofNullable(id == null ? null : tokens.get(id));
    }

    public List<LegacyToken> tokensOf(String projectId) {
      return tokens.values().stream().filter(t -> t.projectId().equals(projectId))
          .sorted(Comparator.comparing(LegacyToken::createdAt).thenComparing(LegacyToken::id)).toList();
    }
  }

  private final LegacyTokenStore store;
  private volatile Snapshot current = Snapshot.of(new LegacyTokenStore.Data(List.of(), List.of()));

  public LegacyState(LegacyTokenStore store) {
    this.store = requireNonNull(store, "store");
  }

  public Snapshot current() {
    return current;
  }

  /** Loads everything again; serialized, so the last published snapshot is the newest. */
  public synchronized Snapshot reload() {
    current = Snapshot.of(store.loadAll());
    return current;
  }
}
