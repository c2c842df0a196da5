package dev.tollgate.query;

import java.util.List;

/**
 * One location of a stack as the agent sent it: its address and mapping (file and build id may
 * be null), and the lines of the functions there, innermost first (none for a native frame the
 * agent left unsymbolized). Records compare by content, so equal frames make one pprof location.
 */
record Frame(long address, String mappingFile, String buildId, long mappingStart, long mappingLimit,
    long mappingOffset, List<Line> lines) {

  /** A function at a line; strings may be null, numbers 0 when not sent. */
  record Line(String name, String systemName, String filename, long startLine, long line) {}

  boolean hasMapping() {
    return mappingFile != null || buildId != null;
  }

  /** A native frame the agent did not name: no lines, but a build id to look the address up in. */
  boolean unsymbolized() {
    return lines.isEmpty() && buildId != null && !buildId.isEmpty();
  }

  Frame withLine(Line line) {
    return new Frame(address, mappingFile, buildId, mappingStart, mappingLimit, mappingOffset, List.of(line));
  }
}
