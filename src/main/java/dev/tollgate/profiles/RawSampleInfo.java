package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a WriteRaw call said about one {@code raw_profile} besides its bytes, kept with the stored
 * blob (in its segment record's header) so that downloads and symbolization have it:
 * {@code WriteRawRequest.normalized} and the sample's {@code executable_info}, one per pprof
 * mapping when present.
 */
public record RawSampleInfo(boolean normalized, List<Executable> executableInfo) {
  public RawSampleInfo {
    executableInfo = List.copyOf(requireNonNull(executableInfo, "executableInfo"));
  }

  /**
   * One {@code ExecutableInfo}: {@code elf_type} (an ELF {@code e_type}, a uint32) and the
   * {@code load_segment}'s {@code offset} and {@code vaddr} (uint64, kept as their bits).
   */
  public record Executable(long elfType, long offset, long vaddr) {}
}
