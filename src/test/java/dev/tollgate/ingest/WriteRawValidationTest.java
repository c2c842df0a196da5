package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import dev.tollgate.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parca's WriteRaw checks, table-driven over the pure validators. */
class WriteRawValidationTest {

  /** A small valid profile: 1 mapping, 1 function, 1 location, 1 sample of 2 types. */
  static Profile valid() {
    return Profile.newBuilder()
        .addAllStringTable(java.util.List.of("", "samples", "count", "cpu", "nanoseconds", "main", "/bin/app"))
        .addSampleType(ValueType.newBuilder().setType(1).setUnit(2))
        .addSampleType(ValueType.newBuilder().setType(3).setUnit(4))
        .setPeriodType(ValueType.newBuilder().setType(3).setUnit(4))
        .addMapping(Mapping.newBuilder().setId(1).setFilename(6))
        .addFunction(Function.newBuilder().setId(1).setName(5))
        .addLocation(Location.newBuilder().setId(1).setMappingId(1).addLine(Line.newBuilder().setFunctionId(1)))
        .addSample(Sample.newBuilder().addLocationId(1).addValue(1).addValue(10))
        .build();
  }

  static Stream<Arguments> pprofCases() {
    return Stream.of(
        Arguments.of("valid", (UnaryOperator<Profile.Builder>) b -> b, 0, null),
        Arguments.of("empty string table", (UnaryOperator<Profile.Builder>) b -> b.clearStringTable(), 0,
            "string_table is empty"),
        Arguments.of("first string not empty", (UnaryOperator<Profile.Builder>) b -> b.setStringTable(0, "x"), 0,
            "string_table[0] is not the empty string"),
        Arguments.of("mapping id not sequential", (UnaryOperator<Profile.Builder>) b -> b.setMapping(0,
            Mapping.newBuilder().setId(2)), 0, "mapping 0 has id 2, expected 1"),
        Arguments.of("mapping filename out of range", (UnaryOperator<Profile.Builder>) b -> b.setMapping(0,
            Mapping.newBuilder().setId(1).setFilename(99)), 0, "mapping 0 has filename index 99 out of range"),
        Arguments.of("function id not sequential", (UnaryOperator<Profile.Builder>) b -> b.setFunction(0,
            Function.newBuilder().setId(3)), 0, "function 0 has id 3, expected 1"),
        Arguments.of("function name out of range", (UnaryOperator<Profile.Builder>) b -> b.setFunction(0,
            Function.newBuilder().setId(1).setName(-1)), 0, "function 0 has name index -1 out of range"),
        Arguments.of("location id not sequential", (UnaryOperator<Profile.Builder>) b -> b.setLocation(0,
            Location.newBuilder().setId(5)), 0, "location 0 has id 5, expected 1"),
        Arguments.of("location function out of range", (UnaryOperator<Profile.Builder>) b -> b.setLocation(0,
            Location.newBuilder().setId(1).addLine(Line.newBuilder().setFunctionId(9))), 0,
            "location 0 line 0 has function id 9 out of range"),
        Arguments.of("location mapping out of range", (UnaryOperator<Profile.Builder>) b -> b.setLocation(0,
            Location.newBuilder().setId(1).setMappingId(4)), 0, "location 0 has mapping id 4 out of range"),
        Arguments.of("value count differs from sample types", (UnaryOperator<Profile.Builder>) b -> b.setSample(0,
            Sample.newBuilder().addLocationId(1).addValue(1)), 0, "sample 0 has 1 values but the profile has 2 sample types"),
        Arguments.of("sample location zero", (UnaryOperator<Profile.Builder>) b -> b.setSample(0,
            Sample.newBuilder().addLocationId(0).addValue(1).addValue(2)), 0, "sample 0 location 0 has id 0 out of range"),
        Arguments.of("sample location out of range", (UnaryOperator<Profile.Builder>) b -> b.setSample(0,
            Sample.newBuilder().addLocationId(1).addLocationId(7).addValue(1).addValue(2)), 0,
            "sample 0 location 1 has id 7 out of range"),
        Arguments.of("sample type index out of range", (UnaryOperator<Profile.Builder>) b -> b.setSampleType(1,
            ValueType.newBuilder().setType(50)), 0, "sample_type 1 has type index 50 out of range"),
        Arguments.of("one executable_info per mapping", (UnaryOperator<Profile.Builder>) b -> b, 1, null),
        Arguments.of("executable_info count differs from mappings", (UnaryOperator<Profile.Builder>) b -> b, 2,
            "executable_info has 2 entries but the profile has 1 mappings"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pprofCases")
  void pprofValidator(String name, UnaryOperator<Profile.Builder> change, int executableInfos, String expected) {
    Optional<String> problem = PprofValidator.problem(change.apply(valid().toBuilder()).build(), executableInfos);
    assertThat(problem).isEqualTo(Optional.ofNullable(expected));
  }

  /**
   * Names Parca's server (prometheus/common 0.67, UTF-8 validation) accepts and refuses, and so
   * does Tollgate; null = accepted.
   */
  static Stream<Arguments> labelCases() {
    return Stream.of(
        Arguments.of(new String[] {"__name__", "cpu", "job", "a"}, null),
        // accepted by UTF-8 validation, refused by the legacy [a-zA-Z_][a-zA-Z0-9_]* rule
        Arguments.of(new String[] {"__name__", "cpu", "k8s.pod.name", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "service.name", "checkout"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "1job", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "job-x", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "app.kubernetes.io/name", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "Größe 大小", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", " ", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "__reserved", "a"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "job", ""}, null),
        // __name__ is the profile name, not a label name: it may repeat and the last one counts
        Arguments.of(new String[] {"__name__", "cpu", "__name__", "memory"}, null),
        Arguments.of(new String[] {"__name__", "cpu", "__name__", ""}, "missing __name__ label"),
        Arguments.of(new String[] {"job", "a"}, "missing __name__ label"),
        Arguments.of(new String[] {"__name__", "", "job", "a"}, "missing __name__ label"),
        Arguments.of(new String[] {"__name__", "cpu", "", "a"}, "label 1 has invalid name \"\""),
        Arguments.of(new String[] {"__name__", "cpu", "job", "a", "job", "b"}, "label 2 duplicates name \"job\""),
        Arguments.of(new String[] {"__name__", "cpu", "k8s.pod.name", "a", "k8s.pod.name", "b"},
            "label 2 duplicates name \"k8s.pod.name\""));
  }

  @ParameterizedTest
  @MethodSource("labelCases")
  void labelSets(String[] pairs, String expected) {
    LabelSet.Builder b = LabelSet.newBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      b.addLabels(Label.newBuilder().setName(pairs[i]).setValue(pairs[i + 1]));
    }
    assertThat(LabelSets.problem(b.build())).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void profileTypes_followParcasNaming_withDeltaForDurations() {
    assertThat(ProfileTypes.of("process_cpu", valid())).containsExactly(
        "process_cpu:samples:count:cpu:nanoseconds", "process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    assertThat(ProfileTypes.of("memory", valid().toBuilder().setDurationNanos(10).build()).getFirst())
        .isEqualTo("memory:samples:count:cpu:nanoseconds:delta");
  }

  @Test
  void decoder_acceptsGzipAndPlain_andRefusesGarbage() throws Exception {
    Path first = TestData.pprofFiles().getFirst();
    Profile gz = PprofDecoder.decode(ByteString.copyFrom(Files.readAllBytes(first)), 512 << 20);
    assertThat(gz.getStringTable(0)).isEmpty();
    assertThat(PprofDecoder.decode(valid().toByteString(), 1 << 20)).isEqualTo(valid());
    assertThatThrownBy(() -> PprofDecoder.decode(ByteString.copyFrom(new byte[] {0x1f, (byte) 0x8b, 0, 1}), 1 << 20))
        .isInstanceOf(InvalidProfileException.class);
    assertThatThrownBy(() -> PprofDecoder.decode(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff}), 1 << 20))
        .isInstanceOf(InvalidProfileException.class);
  }

  @Test
  void gzipBomb_isRefusedAfterTheLimit_withoutInflatingIt() throws Exception {
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
      // a well-formed start: string_table entry (field 6) announcing 1 GiB, then the 1 GiB of 'a'
      gz.write(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04});
      byte[] chunk = new byte[1 << 20];
      java.util.Arrays.fill(chunk, (byte) 'a');
      for (int i = 0; i < 1024; i++) {
        gz.write(chunk);
      }
    }
    assertThat(bomb.size()).isLessThan(2 << 20);
    long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThatThrownBy(() -> PprofDecoder.decode(ByteString.copyFrom(bomb.toByteArray()), 8 << 20))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageContaining("decompresses to more than 8388608 bytes");
    long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(after - before).isLessThan(256L << 20);
  }

  @Test
  void writeRawDecoder_namesSeriesAndSampleIndex() {
    var req = dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest.newBuilder()
        .addSeries(dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries.newBuilder()
            .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("cpu")))
            .addSamples(dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample.newBuilder()
                .setRawProfile(valid().toByteString()))
            .addSamples(dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample.newBuilder()
                .setRawProfile(valid().toBuilder().setLocation(0, Location.newBuilder().setId(1)
                    .addLine(Line.newBuilder().setFunctionId(9))).build().toByteString())))
        .build();
    assertThatThrownBy(() -> WriteRawDecoder.decode(req, 1 << 20))
        .hasMessage("series 0 sample 1: location 0 line 0 has function id 9 out of range");
  }
}
