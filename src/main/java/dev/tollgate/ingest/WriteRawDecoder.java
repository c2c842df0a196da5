package dev.tollgate.ingest;

import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.NewBlob;
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
 * store, keeping its bytes exactly as received. Pure apart from the CPU spent inflating.
 */
final class WriteRawDecoder {
  private WriteRawDecoder() {}

  /** @throws InvalidProfileException naming the series and sample index of the first problem */
  static List<NewBlob> decode(WriteRawRequest req, long maxDecompressedBytes) {
    return decode(req, maxDecompressedBytes, DecompressionBudget.unlimited());
  }

  /** As above, inflating each profile within {@code budget}, which all calls share. */
  static List<NewBlob> decode(WriteRawRequest req, long maxDecompressedBytes, DecompressionBudget budget) {
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
          p = PprofScan.decodeAndValidate(sample.getRawProfile(), maxDecompressedBytes,
              sample.getExecutableInfoCount(), lease);
        } catch (InvalidProfileException e) {
          throw new InvalidProfileException(where + e.getMessage());
        }
        long start = p.timeNanos() / 1_000_000;
        long end = p.timeNanos() == 0 ? 0 : (p.timeNanos() + Math.max(0, p.durationNanos())) / 1_000_000;
        out.add(new NewBlob(BlobKind.PPROF, sample.getRawProfile().toByteArray(), List.of(new SeriesEntry(
            labels, p.profileTypes(labels.get("__name__")), start, end))));
      }
    }
    return out;
  }
}
