package dev.tollgate.ingest;

import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.RawSampleInfo;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ExecutableInfo;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Checks a WriteRaw request the way Parca does and turns each {@code raw_profile} into a blob to
 * store, keeping its bytes exactly as received, with the request's {@code normalized} and the
 * sample's {@code executable_info}. Pure apart from the CPU spent inflating.
 */
final class WriteRawDecoder {
  private WriteRawDecoder() {}

  /**
   * A stored WriteRaw profile as the request that sends it again: its labels, its bytes as
   * stored, its {@code normalized} and {@code executable_info} (none for profiles stored before
   * they were kept).
   */
  static WriteRawRequest replay(dev.tollgate.profiles.StoredBlob blob) {
    dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet.Builder labels =
        dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet.newBuilder();
    blob.labels().forEach((k, v) -> labels.addLabels(
        dev.tollgate.proto.parca.profilestore.v1alpha1.Label.newBuilder().setName(k).setValue(v)));
    RawSample.Builder sample = RawSample.newBuilder().setRawProfile(com.google.protobuf.ByteString.copyFrom(blob.bytes()));
    RawSampleInfo info = blob.rawSample();
    if (info != null) {
      for (RawSampleInfo.Executable e : info.executableInfo()) {
        sample.addExecutableInfo(ExecutableInfo.newBuilder().setElfType((int) e.elfType())
            .setLoadSegment(dev.tollgate.proto.parca.profilestore.v1alpha1.LoadSegment.newBuilder()
                .setOffset(e.offset()).setVaddr(e.vaddr())));
      }
    }
    return WriteRawRequest.newBuilder().setNormalized(info != null && info.normalized())
        .addSeries(RawProfileSeries.newBuilder().setLabels(labels).addSamples(sample)).build();
  }

  /** What the request says about {@code sample} besides its bytes, kept with it. */
  static RawSampleInfo info(WriteRawRequest req, RawSample sample) {
    List<RawSampleInfo.Executable> executables = new ArrayList<>(sample.getExecutableInfoCount());
    for (ExecutableInfo e : sample.getExecutableInfoList()) {
      executables.add(new RawSampleInfo.Executable(Integer.toUnsignedLong(e.getElfType()),
          e.getLoadSegment().getOffset(), e.getLoadSegment().getVaddr()));
    }
    return new RawSampleInfo(req.getNormalized(), executables);
  }

  /** @throws InvalidProfileException naming the series and sample index of the first problem */
  static List<NewBlob> decode(WriteRawRequest req, long maxDecompressedBytes) {
    return decode(req, maxDecompressedBytes, ProfileLimits.defaults(), DecompressionBudget.unlimited());
  }

  /**
   * As above, refusing profiles with more objects than {@code limits}, inflating and parsing each
   * within {@code budget}, which all calls share.
   */
  static List<NewBlob> decode(WriteRawRequest req, long maxDecompressedBytes, ProfileLimits limits,
      DecompressionBudget budget) {
    List<NewBlob> out = new ArrayList<>();
    for (int i = 0; i < req.getSeriesCount(); i++) {
      RawProfileSeries series = req.getSeries(i);
      Optional<String> bad = LabelSets.problem(series.getLabels());
      if (bad.isPresent()) {
        throw new InvalidProfileException("series " + i + ": " + bad.get());
      }
      SortedMap<String, String> labels = LabelSets.sorted(series.getLabels());
      for (int j = 0; j < series.getSamplesCount(); j++) {
        RawSample sample = series.getSamples(j);
        String where = "series " + i + " sample " + j + ": ";
        PprofScan.Summary p;
        try (DecompressionBudget.Lease lease = budget.lease()) {
          p = PprofScan.decodeAndValidate(sample.getRawProfile(), maxDecompressedBytes, limits,
              sample.getExecutableInfoCount(), lease);
        } catch (InvalidProfileException e) {
          throw e.at(where);
        }
        long start = p.timeNanos() / 1_000_000;
        long end = p.timeNanos() == 0 ? 0 : (p.timeNanos() + Math.max(0, p.durationNanos())) / 1_000_000;
        out.add(new NewBlob(BlobKind.PPROF, sample.getRawProfile().toByteArray(), List.of(new SeriesEntry(
            labels, p.profileTypes(labels.get("__name__")), start, end)), info(req, sample)));
      }
    }
    return out;
  }
}
