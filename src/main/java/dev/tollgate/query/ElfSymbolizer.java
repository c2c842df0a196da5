package dev.tollgate.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.debuginfo.DebuginfoStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names native addresses from the ELF files uploaded through the DebuginfoService: the function
 * symbols ({@code STT_FUNC} in {@code .symtab} and {@code .dynsym}) of the build id's debug info
 * ({@code DEBUGINFO_TYPE_DEBUGINFO_UNSPECIFIED}), or else of its executable ({@code
 * DEBUGINFO_TYPE_EXECUTABLE}), answering the symbol whose {@code [value, value + size)} holds the
 * address. Only little-endian ELF64 is read; other files, missing uploads and unreadable files
 * answer null (the frame stays an address), logged at WARN once per parse.
 *
 * <p>Addresses (Parca's rule): an agent mapping of start, limit and offset zero means the address
 * already is the ELF virtual address (current agents normalize before sending). Otherwise the
 * process address becomes a file offset, {@code address - start + offset}, and that offset the
 * virtual address {@code offset - p_offset + p_vaddr} of the {@code PT_LOAD} segment holding it,
 * as pprof and Parca compute an ELF's base.
 *
 * <p>Parsed tables are cached per (project, build id), bounded by {@code maxCachedSymbols} symbols
 * in all; a cached build id is answered without asking the store again (a forced re-upload of the
 * same build id is seen once its table is evicted). A build id not uploaded (yet) is not cached, so
 * a later upload is found; each such lookup asks the store's index (a decode asks {@link #knows}
 * once per build id, not per frame). Thread-safe.
 */
public final class ElfSymbolizer implements Symbolizer {
  private static final Logger log = LoggerFactory.getLogger(ElfSymbolizer.class);
  static final int DEBUGINFO = 0;
  static final int EXECUTABLE = 1;

  private record Key(UUID projectId, String buildId) {}

  private final DebuginfoStore store;
  private final Cache<Key, Optional<ElfSymbols>> tables;

  /**
   * @param store where uploaded debug info is
   * @param maxCachedSymbols how many symbols the cache of parsed tables holds at most, in all files (positive)
   */
  public ElfSymbolizer(DebuginfoStore store, long maxCachedSymbols) {
    this.store = Objects.requireNonNull(store, "store");
    if (maxCachedSymbols <= 0) {
      throw new IllegalArgumentException("maxCachedSymbols must be positive, was " + maxCachedSymbols);
    }
    this.tables = Caffeine.newBuilder()
        .maximumWeight(maxCachedSymbols)
        .<Key, Optional<ElfSymbols>>weigher((k, v) -> 1 + v.map(ElfSymbols::size).orElse(0))
        .build();
  }

  @Override
  public String symbolize(UUID projectId, String buildId, long address) {
    return table(projectId, buildId).map(t -> t.at(address)).orElse(null);
  }

  @Override
  public String symbolize(UUID projectId, String buildId, long address, long mappingStart, long mappingLimit,
      long mappingOffset) {
    Optional<ElfSymbols> t = table(projectId, buildId);
    if (t.isEmpty()) {
      return null;
    }
    if (mappingStart == 0 && mappingLimit == 0 && mappingOffset == 0) {
      return t.get().at(address);
    }
    return t.get().at(t.get().vaddrOfFileOffset(address - mappingStart + mappingOffset));
  }

  @Override
  public boolean knows(UUID projectId, String buildId) {
    return table(projectId, buildId).isPresent();
  }

  private Optional<ElfSymbols> table(UUID projectId, String buildId) {
    if (projectId == null || buildId == null || buildId.isEmpty()) {
      return Optional.empty();
    }
    Key key = new Key(projectId, buildId);
    Optional<ElfSymbols> cached = tables.getIfPresent(key);
    if (cached != null) {
      return cached; // parsed before: no index lookup
    }
    Optional<Path> file = store.file(projectId, buildId, DEBUGINFO).or(() -> store.file(projectId, buildId, EXECUTABLE));
    if (file.isEmpty()) {
      return Optional.empty();
    }
    return tables.get(key, k -> parse(file.get(), buildId));
  }

  private static Optional<ElfSymbols> parse(Path file, String buildId) {
    try {
      return Optional.of(ElfSymbols.read(file));
    } catch (IOException | RuntimeException e) {
      log.warn("debug info of build id {} is not a readable ELF64 little-endian file: {}", buildId, e.getMessage());
      return Optional.empty();
    }
  }
}
