package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.testing.TestData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A profile is refused for the objects it describes, not only for its bytes, before any of them
 * is built: on the fast scan, on every fallback to the full parse, and while it still inflates.
 */
class ProfileLimitsTest {
  static final long MAX = 512L << 20; // the default decompressed limit

  private static void refusedFor(ByteString raw, ProfileLimits limits, String what) {
    assertThatThrownBy(() -> PprofScan.decodeAndValidate(raw, MAX, limits, 0,
        DecompressionBudget.unlimited().lease()))
        .isInstanceOfSatisfying(InvalidProfileException.class, e -> assertThat(e.overSizeLimit()).isFalse())
        .hasMessageStartingWith("raw_profile has more than ")
        .hasMessageContaining(what);
  }

  @Test
  void attackReportBomb_isRefusedForItsSamples_afterInflatingOnlyAFewMiB() {
    ByteString bomb = ProfileBombs.attackReportBomb();
    assertThat(bomb.size()).isLessThan(300_000);
    DecompressionBudget budget = new DecompressionBudget(1L << 30, Duration.ZERO);
    try (DecompressionBudget.Lease lease = budget.lease()) {
      assertThatThrownBy(() -> PprofScan.decodeAndValidate(bomb, MAX, ProfileLimits.defaults(), 0, lease))
          .isInstanceOf(InvalidProfileException.class)
          .hasMessage("raw_profile has more than 1000000 samples, the most this server accepts in one profile"
              + " (--max-profile-samples)");
      // refused while inflating: the buffer never grew past the first census (8 MiB, doubled once)
      assertThat(budget.used()).isLessThanOrEqualTo(3 * (16L << 20));
    }
    // also when the server's byte limit is lower than the bomb: the objects, not the size, decide
    refusedForAtByteLimit(bomb, 32L << 20);
  }

  private static void refusedForAtByteLimit(ByteString bomb, long maxBytes) {
    assertThatThrownBy(() -> PprofScan.decodeAndValidate(bomb, maxBytes, ProfileLimits.defaults(), 0,
        DecompressionBudget.unlimited().lease()))
        .isInstanceOfSatisfying(InvalidProfileException.class, e -> assertThat(e.overSizeLimit()).isFalse())
        .hasMessageContaining("more than 1000000 samples");
  }

  @Test
  void smallBombs_ofEachKind_areRefused_onTheFastScan() {
    ProfileLimits small = new ProfileLimits(1000, 1000, 1000, 1000, 5000);
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x12, 0x00}, 1001, new byte[0]), small, "1000 samples");
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x32, 0x00}, 1001, new byte[0]), small, "1000 strings");
    // locations need ids 1, 2, ...: the scan still counts them before the first wrong id; the census refuses
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x22, 0x00}, 1001, new byte[0]), small, "1000 locations");
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x2a, 0x00}, 1001, new byte[0]), small, "1000 functions");
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x1a, 0x00}, 1001, new byte[0]), small, "1000 mappings");
    // one sample (tag, 2-byte length) holding 5001 packed zero values (tag, 2-byte length, values)
    int values = 5001;
    byte[] sample = new byte[3 + 3 + values];
    sample[0] = 0x12;
    sample[1] = (byte) (0x80 | ((3 + values) & 0x7f));
    sample[2] = (byte) ((3 + values) >>> 7);
    sample[3] = 0x12;
    sample[4] = (byte) (0x80 | (values & 0x7f));
    sample[5] = (byte) (values >>> 7);
    refusedFor(ProfileBombs.gzipRepeated(sample, 1, new byte[0]), small, "5000 values");
  }

  @Test
  void bombsThatTheFastScanGivesUpOn_areRefusedByTheCensus_beforeTheFullParse() {
    ProfileLimits small = new ProfileLimits(1000, 1000, 1000, 1000, 5000);
    // an unknown field first (field 16, varint): the scan stops there at once
    byte[] unknown = {(byte) 0x80, 0x01, 0x00};
    refusedFor(ProfileBombs.gzipRepeated(new byte[] {0x12, 0x00}, 1001, unknown), small, "1000 samples");
    // unknown fields themselves: protobuf keeps each one
    refusedFor(ProfileBombs.gzipRepeated(unknown, 5001, new byte[0]), small, "5000 values");
    // an unknown group holding many fields
    byte[] group = new byte[2 + 2 * 5001 + 2];
    group[0] = (byte) 0x83; // field 16, start group
    group[1] = 0x01;
    for (int i = 0; i < 5001; i++) {
      group[2 + 2 * i] = 0x08; // field 1 varint 0
    }
    group[group.length - 2] = (byte) 0x84; // end group
    group[group.length - 1] = 0x01;
    refusedFor(ProfileBombs.gzipRepeated(group, 1, new byte[0]), small, "5000 values");
    // broken gzip: samples, then garbage instead of the gzip trailer
    ByteString ok = ProfileBombs.gzipRepeated(new byte[] {0x12, 0x00}, 1001, new byte[0]);
    byte[] broken = ok.toByteArray();
    broken[broken.length - 1] ^= 0x55; // wrong length in the trailer
    refusedFor(ByteString.copyFrom(broken), small, "1000 samples");
    // plain (not gzipped) bytes go through the same checks
    byte[] plain = new byte[2 * 1001 + unknown.length];
    System.arraycopy(unknown, 0, plain, 0, unknown.length);
    for (int i = 0; i < 1001; i++) {
      plain[unknown.length + 2 * i] = 0x12;
    }
    refusedFor(ByteString.copyFrom(plain), small, "1000 samples");
  }

  @Test
  void atTheLimit_isAccepted() {
    Profile.Builder p = Profile.newBuilder().addStringTable("").addStringTable("cpu").addStringTable("ns");
    p.addSampleTypeBuilder().setType(1).setUnit(2);
    for (int i = 0; i < 10; i++) {
      p.addSample(Sample.newBuilder().addValue(i));
    }
    ByteString raw = p.build().toByteString();
    ProfileLimits exact = new ProfileLimits(10, 1, 1, 3, 10);
    assertThat(PprofScan.decodeAndValidate(raw, MAX, exact, 0).sampleTypes()).containsExactly("cpu");
    refusedFor(raw, new ProfileLimits(9, 1, 1, 3, 10), "9 samples");
    refusedFor(raw, new ProfileLimits(10, 1, 1, 2, 10), "2 strings");
    refusedFor(raw, new ProfileLimits(10, 1, 1, 3, 9), "9 values");
  }

  @Test
  void realProfiles_areWithinTheDefaults_andTheCensusAgreesWithTheFullParse() throws Exception {
    for (Path f : TestData.pprofFiles()) {
      ByteString gz = ByteString.copyFrom(Files.readAllBytes(f));
      assertThat(PprofScan.fast(gz, MAX, ProfileLimits.defaults(), 0, DecompressionBudget.unlimited().lease()))
          .as(f.toString()).isNotNull();
      Profile p = PprofDecoder.decode(gz, MAX);
      byte[] plain = p.toByteArray();
      long values = 0;
      for (Sample s : p.getSampleList()) {
        values += s.getValueCount() + s.getLocationIdCount() + s.getLabelCount();
      }
      for (var loc : p.getLocationList()) {
        values += loc.getLineCount();
      }
      // exactly at the counts: accepted; one less of each: refused
      ProfileLimits exact = new ProfileLimits(Math.max(1, p.getSampleCount()),
          Math.max(1, Math.max(p.getLocationCount(), p.getMappingCount())), Math.max(1, p.getFunctionCount()),
          p.getStringTableCount(), Math.max(1, values));
      assertThat(PprofScan.decodeAndValidate(ByteString.copyFrom(plain), MAX, exact, 0)).as(f.toString()).isNotNull();
      long cost = PprofCensus.parseCost(plain, plain.length, exact);
      assertThat(cost).as(f.toString()).isEqualTo(ProfileLimits.parseCost(p.getSampleCount(),
          p.getLocationCount() + p.getMappingCount(), p.getFunctionCount(), p.getStringTableCount(), values));
      if (p.getSampleCount() > 1) {
        refusedFor(ByteString.copyFrom(plain), new ProfileLimits(p.getSampleCount() - 1, exact.locations(),
            exact.functions(), exact.strings(), exact.values()), "samples");
      }
    }
  }

  @Test
  void theFullParse_holdsItsCostInTheSharedBudget() {
    // unknown field first: the fallback parse runs, holding its estimated cost; too little room is retryable
    byte[] unknown = {(byte) 0x80, 0x01, 0x00};
    ByteString raw = ProfileBombs.gzipRepeated(new byte[] {0x12, 0x00}, 100_000, unknown);
    DecompressionBudget tight = new DecompressionBudget(4L << 20, Duration.ZERO);
    try (DecompressionBudget.Lease lease = tight.lease()) {
      assertThatThrownBy(() -> PprofScan.decodeAndValidate(raw, 1 << 20, ProfileLimits.defaults(), 0, lease))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }
    assertThat(tight.used()).isZero();
  }
}
