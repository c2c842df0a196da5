package dev.tollgate.query;

import java.util.UUID;

/** Names native code that the agent sent as bare addresses. */
@FunctionalInterface
public interface Symbolizer {
  /**
   * Function name for a native address in the ELF with this build id, or null when unknown.
   * {@code address} is an ELF virtual address, as in the ELF's symbol table.
   */
  String symbolize(UUID projectId, String buildId, long address);

  /**
   * Function name for an address as the agent sent it, in a mapping at {@code mappingStart} of
   * the process mapped from file offset {@code mappingOffset}. Current agents send mappings of
   * start, limit and offset zero, meaning the address is already the ELF virtual address; with a
   * mapping, the address is first turned into an offset in the file ({@code address - start +
   * offset}). This default passes that file offset on as the address, right for the common
   * layout where a segment's file offset and virtual address are equal; {@link ElfSymbolizer}
   * maps it through the ELF's load segments as Parca does.
   */
  default String symbolize(UUID projectId, String buildId, long address, long mappingStart, long mappingLimit,
      long mappingOffset) {
    if (mappingStart == 0 && mappingLimit == 0 && mappingOffset == 0) {
      return symbolize(projectId, buildId, address);
    }
    return symbolize(projectId, buildId, address - mappingStart + mappingOffset);
  }

  /**
   * Whether names for this build id may be found at all (e.g. its debug info was uploaded). A
   * decode asks once per build id and skips its frames when not, so a binary nobody uploaded costs
   * one look-up per decode, not one per frame.
   */
  default boolean knows(UUID projectId, String buildId) {
    return true;
  }

  /** Knows no names. */
  Symbolizer NONE = (p, b, a) -> null;
}
