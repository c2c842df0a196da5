package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The Arrow IPC path of {@code WriteArrow} and {@code Write} ({@link ArrowRecords#readSamples},
 * {@link ArrowRecords#readV1Locations}, through {@link ArrowRows} and {@link ArrowValues}) on any
 * bytes either reads them or refuses them with {@link InvalidProfileException} or
 * {@link ServerCapacityException}, never another exception, and frees all the Arrow memory it
 * took. Limits are small so that no input can take much memory or time. Regression mode (every
 * build) runs the stored inputs (streams the test fixtures write, and {@code buffer-past-body}, a
 * finding: a batch whose buffer lies past its body leaked the body, see {@link IpcFraming});
 * {@code JAZZER_FUZZ=1} fuzzes
 * for {@code maxDuration} (docs/benchmarks.md, "Fuzzing").
 */
class ArrowFuzzTest {
  static final ArrowMemory MEMORY = new ArrowMemory(64L << 20);
  static final ArrowRecords ARROW = new ArrowRecords(MEMORY, 16L << 20, false,
      new ProfileLimits(10_000, 10_000, 10_000, 20_000, 200_000));

  @FuzzTest(maxDuration = "20s")
  void anyIpcStream_isReadOrRefused_neverAnotherException(byte[] ipc) {
    long before = MEMORY.root().getAllocatedMemory(); // each input on its own, whatever one before it did
    try {
      ArrowRecords.Summary s = ARROW.readSamples(ipc, "ipc_buffer");
      assertThat(s.rows()).isNotNegative();
      assertThat(s.series().isEmpty()).isEqualTo(s.rows() == 0);
    } catch (InvalidProfileException | ServerCapacityException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    try {
      assertThat(ARROW.readV1Locations(ipc)).isNotNegative();
    } catch (InvalidProfileException | ServerCapacityException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    assertThat(MEMORY.root().getAllocatedMemory()).as("Arrow memory freed").isEqualTo(before);
  }
}
