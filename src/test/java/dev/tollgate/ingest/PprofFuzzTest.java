package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import dev.tollgate.profiles.NewBlob;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import java.time.Duration;
import java.util.List;

/**
 * The pprof path of {@code WriteRaw} ({@link WriteRawDecoder#decode}: gunzip within the size limit
 * and the decompression budget, the bounded scan, the validator) on any {@code raw_profile}
 * either decodes or refuses it with {@link InvalidProfileException} or
 * {@link ServerCapacityException}, never another exception, and gives its budget back. What the
 * fast scan accepts the full protobuf parse and {@link PprofValidator} accept too. Limits are
 * small so that no input can take much memory or time. Regression mode (every build) runs the
 * stored inputs (real gzipped profiles); {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}
 * (docs/benchmarks.md, "Fuzzing").
 */
class PprofFuzzTest {
  static final long MAX_BYTES = 4 << 20;
  static final ProfileLimits LIMITS = new ProfileLimits(10_000, 10_000, 10_000, 20_000, 200_000);
  static final DecompressionBudget BUDGET = new DecompressionBudget(64L << 20, Duration.ZERO);

  @FuzzTest(maxDuration = "20s")
  void anyRawProfile_decodesOrIsRefused_neverAnotherException(byte[] raw) {
    WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("fuzz_cpu")))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(raw)))).build();
    try {
      List<NewBlob> blobs = WriteRawDecoder.decode(req, MAX_BYTES, LIMITS, BUDGET);
      assertThat(blobs).hasSize(1);
      assertThat(blobs.get(0).bytes()).isEqualTo(raw);
      assertThat(PprofValidator.problem(PprofDecoder.decode(ByteString.copyFrom(raw), MAX_BYTES), 0))
          .as("the scan accepted what the validator refuses").isEmpty();
    } catch (InvalidProfileException | ServerCapacityException e) {
      assertThat(e.getMessage()).startsWith("series 0 sample 0: ");
    }
    assertThat(BUDGET.used()).as("decompression budget given back").isZero();
  }
}
