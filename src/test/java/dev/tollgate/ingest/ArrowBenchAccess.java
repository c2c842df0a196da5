package dev.tollgate.ingest;

import org.apache.arrow.memory.BufferAllocator;

/** Test-only entry point into the Arrow fixtures, for {@code dev.tollgate.bench}. */
public final class ArrowBenchAccess {
  private ArrowBenchAccess() {}

  /** An agent-sized v2 stream: {@code threads} label sets on {@code node}, {@code samplesPerThread} rows each. */
  public static byte[] agentCall(BufferAllocator a, String node, int threads, int samplesPerThread) {
    return ArrowFixtures.v2Threads(a, node, threads, samplesPerThread);
  }
}
