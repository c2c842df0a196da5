package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * ArrowFuzzTest's finding: a locations record whose batch names a buffer past the batch's body
 * made Arrow throw after reading the body, which then stayed allocated in the shared allocator
 * (256 bytes per call, for good), and so did a node length past INT_MAX. The framing check
 * refuses both before Arrow allocates anything.
 */
class IpcFramingTest {
  @Test
  void bufferPastItsBody_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc;
    try (InputStream in = getClass().getResourceAsStream(
        "ArrowFuzzTestInputs/anyIpcStream_isReadOrRefused_neverAnotherException/buffer-past-body")) {
      ipc = in.readAllBytes();
    }
    try (RootAllocator root = new RootAllocator(64L << 20)) {
      ArrowRecords records = new ArrowRecords(root, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc)).isInstanceOf(InvalidProfileException.class)
          .hasMessage("locations record is not a valid Arrow IPC stream: message 1 buffer 5 is outside the body");
      assertThat(root.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void nodeLengthPastIntMax_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc;
    try (InputStream in = getClass().getResourceAsStream(
        "ArrowFuzzTestInputs/anyIpcStream_isReadOrRefused_neverAnotherException/node-length-past-int-max")) {
      ipc = in.readAllBytes();
    }
    try (RootAllocator root = new RootAllocator(64L << 20)) {
      ArrowRecords records = new ArrowRecords(root, 16L << 20);
      assertThatThrownBy(() -> records.readSamples(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessageStartingWith("ipc_buffer is not a valid Arrow IPC stream: message ");
      assertThat(root.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void fixtureStreams_passTheFramingCheck() {
    try (RootAllocator a = new RootAllocator()) {
      IpcFraming.check(ArrowFixtures.v2(a), "ipc_buffer");
      IpcFraming.check(ArrowFixtures.v1Samples(a), "samples record");
      IpcFraming.check(ArrowFixtures.v1Locations(a), "locations record");
      IpcFraming.check(ArrowFixtures.v2Threads(a, "n1", 600, 4), "ipc_buffer");
    }
  }
}
