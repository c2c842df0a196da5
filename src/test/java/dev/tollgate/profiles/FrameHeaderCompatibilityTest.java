package dev.tollgate.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Segment records written before WriteRaw's normalized/executable_info were kept still read, and new ones round-trip. */
class FrameHeaderCompatibilityTest {
  static byte[] payload(String headerJson, byte[] blob) {
    byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + h.length + blob.length).putInt(h.length).put(h).put(blob).array();
  }

  @Test
  void recordWithoutRawSample_asEveryOldRecordIs_readsWithNone_andItsBytesAsStored() throws Exception {
    byte[] blob = {0x1f, (byte) 0x8b, 1, 2, 3};
    String old = "{\"kind\":\"PPROF\",\"receivedAt\":1700000000000,\"sourceId\":\"tok\",\"sourceName\":\"sa / t\","
        + "\"entries\":[{\"id\":\"0190a1b2-0000-7000-8000-000000000001\",\"labels\":{\"__name__\":\"cpu\"},"
        + "\"types\":[\"cpu:samples:count:cpu:nanoseconds\"],\"sampleTime\":0,\"sampleEnd\":0}]}";
    byte[] p = payload(old, blob);
    FrameHeader h = Frames.header(p);
    assertThat(h.rawSample()).isNull();
    assertThat(h.digest()).isNull();
    assertThat(h.entries()).singleElement().satisfies(e -> assertThat(e.labels()).containsEntry("__name__", "cpu"));
    assertThat(Frames.blob(p)).isEqualTo(blob);
  }

  @Test
  void recordWithRawSample_roundTrips_andOtherKindsWriteNoField() throws Exception {
    RawSampleInfo info = new RawSampleInfo(true, List.of(new RawSampleInfo.Executable(3, 0x1000, -4096L)));
    FrameHeader h = new FrameHeader("PPROF", 1, "tok", "n", List.of(new FrameHeader.Entry("id",
        new TreeMap<>(java.util.Map.of("__name__", "cpu")), List.of("t"), 0, 0)), info, "d1g35t");
    ByteBuffer frame = Frames.encode(h, new byte[] {9});
    byte[] p = new byte[frame.remaining() - Frames.PREFIX];
    frame.get(Frames.PREFIX, p);
    assertThat(Frames.header(p).rawSample()).isEqualTo(info);
    assertThat(Frames.header(p).digest()).isEqualTo("d1g35t");

    ByteBuffer arrow = Frames.encode(new FrameHeader("ARROW", 1, "tok", "n", h.entries()), new byte[] {9});
    assertThat(new String(arrow.array(), StandardCharsets.UTF_8)).doesNotContain("rawSample").doesNotContain("digest");
  }
}
