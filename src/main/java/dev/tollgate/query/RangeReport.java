package dev.tollgate.query;

import com.google.protobuf.Timestamp;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSample;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSeries;
import dev.tollgate.proto.parca.query.v1alpha1.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * QueryRange's series: per label set (or per {@code sum_by} group), one point per stored profile
 * (at its receive time), or per {@code step} bucket (at the bucket's start, buckets aligned to
 * the window's start). A point's value is the sum of the selected sample type's values; its
 * {@code duration} the summed {@code duration_nanos} of its profiles; {@code value_per_second}
 * is value / duration for delta profiles with a duration, else the value itself.
 */
final class RangeReport {
  private final ProfileTypeName type;
  private final List<String> sumBy;
  private final Instant start;
  private final Duration step;
  private final Map<SortedMap<String, String>, TreeMap<Instant, long[]>> groups = new TreeMap<>(
      (a, b) -> a.toString().compareTo(b.toString()));

  RangeReport(ProfileTypeName type, List<String> sumBy, Instant start, Duration step) {
    this.type = type;
    this.sumBy = List.copyOf(sumBy);
    this.start = start;
    this.step = step;
  }

  void add(QueryEngine.Selected s) {
    SortedMap<String, String> labels = QueryEngine.visibleLabels(s.stored().labels());
    if (!sumBy.isEmpty()) {
      SortedMap<String, String> g = new TreeMap<>();
      for (String l : sumBy) {
        String v = labels.get(l);
        if (v != null) {
          g.put(l, v);
        }
      }
      labels = g;
    }
    Instant t = s.stored().receivedAt();
    if (step != null) {
      long n = Math.floorDiv(Duration.between(start, t).toMillis(), step.toMillis());
      t = start.plusMillis(n * step.toMillis());
    }
    long[] point = groups.computeIfAbsent(labels, k -> new TreeMap<>()).computeIfAbsent(t, k -> new long[2]);
    point[0] += s.total();
    point[1] += s.profile().getDurationNanos();
  }

  List<MetricsSeries> series() {
    List<MetricsSeries> out = new ArrayList<>();
    for (var g : groups.entrySet()) {
      LabelSet.Builder ls = LabelSet.newBuilder();
      g.getKey().forEach((k, v) -> ls.addLabels(Label.newBuilder().setName(k).setValue(v)));
      MetricsSeries.Builder ms = MetricsSeries.newBuilder().setLabelset(ls)
          .setSampleType(ValueType.newBuilder().setType(type.sampleType()).setUnit(type.sampleUnit()))
          .setPeriodType(ValueType.newBuilder().setType(type.periodType()).setUnit(type.periodUnit()));
      for (var p : g.getValue().entrySet()) {
        long value = p.getValue()[0];
        long duration = p.getValue()[1];
        double perSecond = type.delta() && duration > 0 ? value / (duration / 1e9) : value;
        ms.addSamples(MetricsSample.newBuilder()
            .setTimestamp(Timestamp.newBuilder().setSeconds(p.getKey().getEpochSecond()).setNanos(p.getKey().getNano()))
            .setValue(value).setValuePerSecond(perSecond).setDuration(duration));
      }
      out.add(ms.build());
    }
    return out;
  }
}
