package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The single-pass scan agrees with the full parse + validator, outcome and message. */
class PprofScanTest {

  /** What the full parse says: the profile types + time, or the error message. */
  private static String full(ByteString raw, long max, int execInfos) {
    try {
      Profile p = PprofDecoder.decode(raw, max);
      Optional<String> problem = PprofValidator.problem(p, execInfos);
      if (problem.isPresent()) {
        return "error: " + problem.get();
      }
      return ProfileTypes.of("n", p) + " " + p.getTimeNanos();
    } catch (InvalidProfileException e) {
      return "error: " + e.getMessage();
    }
  }

  private static String scan(ByteString raw, long max, int execInfos) {
    try {
      PprofScan.Summary s = PprofScan.decodeAndValidate(raw, max, execInfos);
      return s.profileTypes("n") + " " + s.timeNanos();
    } catch (InvalidProfileException e) {
      return "error: " + e.getMessage();
    }
  }

  @Test
  void realFiles_takeTheFastPath_andAgree() throws Exception {
    for (Path f : TestData.pprofFiles()) {
      ByteString gz = ByteString.copyFrom(Files.readAllBytes(f));
      assertThat(fast(gz, 512 << 20, 0)).as(f.toString()).isNotNull();
      assertThat(scan(gz, 512 << 20, 0)).as(f.toString()).isEqualTo(full(gz, 512 << 20, 0));
      ByteString plain = ByteString.readFrom(new GZIPInputStream(gz.newInput()));
      assertThat(fast(plain, 512 << 20, 0)).as(f.toString()).isNotNull();
      assertThat(scan(plain, 512 << 20, 0)).isEqualTo(full(plain, 512 << 20, 0));
      // a limit just below the inflated size
      assertThat(scan(gz, plain.size() - 1, 0)).isEqualTo(full(gz, plain.size() - 1, 0))
          .startsWith("error: raw_profile decompresses to more than");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.tollgate.ingest.WriteRawValidationTest#pprofCases")
  void tableCases_agree(String name, UnaryOperator<Profile.Builder> change, int execInfos, String expected) {
    ByteString raw = change.apply(WriteRawValidationTest.valid().toBuilder()).build().toByteString();
    String want = expected == null ? full(raw, 1 << 20, execInfos) : "error: " + expected;
    assertThat(scan(raw, 1 << 20, execInfos)).isEqualTo(want);
    assertThat(scan(gzip(raw.toByteArray()), 1 << 20, execInfos)).isEqualTo(want);
    assertThat(fast(raw, 1 << 20, execInfos) != null).isEqualTo(expected == null);
  }

  @Test
  void mutatedProfiles_agreeWithTheFullParse() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(WriteRawValidationTest.valid().toByteArray());
    seeds.add(WriteRawValidationTest.valid().toBuilder().setDurationNanos(7).setTimeNanos(123456789)
        .addComment(2).setDocUrl("héllo").build().toByteArray());
    for (Path f : TestData.pprofFiles().subList(0, 6)) {
      byte[] plain = new GZIPInputStream(Files.newInputStream(f)).readAllBytes();
      if (plain.length < 40_000) {
        seeds.add(plain);
      }
    }
    Random rnd = new Random(42);
    int fastValid = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(4)) {
          case 0 -> b[at] = (byte) rnd.nextInt(256);
          case 1 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
          case 2 -> b[at] = (byte) (b[at] + (rnd.nextBoolean() ? 1 : -1));
          default -> b = java.util.Arrays.copyOf(b, at);
        }
        if (b.length == 0) {
          break;
        }
      }
      ByteString raw = ByteString.copyFrom(b);
      int execInfos = rnd.nextInt(10) == 0 ? 1 : 0;
      String want = full(raw, 1 << 20, execInfos);
      assertThat(scan(raw, 1 << 20, execInfos)).as("round " + round).isEqualTo(want);
      if (fast(raw, 1 << 20, execInfos) != null) {
        fastValid++;
        assertThat(want).doesNotStartWith("error:");
      }
    }
    assertThat(fastValid).isGreaterThan(100);
  }

  private static PprofScan.Summary fast(ByteString raw, long max, int execInfos) {
    try (DecompressionBudget.Lease lease = DecompressionBudget.unlimited().lease()) {
      return PprofScan.fast(raw, max, execInfos, lease);
    }
  }

  private static ByteString zerosGzipped(int n) throws Exception {
    var out = new java.io.ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(new byte[n]);
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  @Test
  void gzipBomb_isRefusedAtTheLimit_withinTheSharedBudget_andGivesItsShareBack() throws Exception {
    ByteString bomb = zerosGzipped(64 << 20); // ~64 KB that inflate to 64 MiB
    DecompressionBudget budget = new DecompressionBudget(32L << 20, java.time.Duration.ofMillis(200));
    try (DecompressionBudget.Lease lease = budget.lease()) {
      assertThatThrownBy(() -> PprofScan.decodeAndValidate(bomb, 8 << 20, 0, lease))
          .isInstanceOf(InvalidProfileException.class)
          .hasMessage("raw_profile decompresses to more than " + (8 << 20) + " bytes");
      assertThat(budget.used()).isLessThanOrEqualTo(2 * ((8L << 20) + 1));
    }
    assertThat(budget.used()).isZero();

    // Another call holds most of the budget: this one waits, then is told to retry.
    try (DecompressionBudget.Lease other = budget.lease()) {
      other.hold(28L << 20);
      try (DecompressionBudget.Lease lease = budget.lease()) {
        assertThatThrownBy(() -> PprofScan.decodeAndValidate(bomb, 8 << 20, 0, lease))
            .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED));
      }
    }
    assertThat(budget.used()).isZero();
    assertThat(budget.profileLimit(512L << 20)).isEqualTo(16L << 20);
    assertThat(budget.profileLimit(1L << 20)).isEqualTo(1L << 20);
  }

  @Test
  void utf8Check_matchesProtobuf() {
    Random rnd = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[1 + rnd.nextInt(5)];
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(128) : 0x80 + rnd.nextInt(128));
      }
      assertThat(PprofScan.Utf8Check.valid(b, 0, b.length)).as(java.util.HexFormat.of().formatHex(b))
          .isEqualTo(ByteString.copyFrom(b).isValidUtf8());
    }
  }

  private static ByteString gzip(byte[] b) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(b);
      }
      return ByteString.copyFrom(out.toByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
