package dev.tollgate.query;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.GrpcTestClients;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Helpers for query tests: WriteRaw a profile, build requests, read a gzipped pprof answer. */
final class Queries {
  private Queries() {}

  static void push(String url, String writerToken, String project, Map<String, String> labels, byte[] pprof) {
    GrpcTestClients.stub(url, writerToken, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(writeRaw(labels, pprof));
  }

  /** A WriteRaw of one series with these labels and one sample, {@code pprof}. */
  static WriteRawRequest writeRaw(Map<String, String> labels, byte[] pprof) {
    LabelSet.Builder ls = LabelSet.newBuilder();
    labels.forEach((k, v) -> ls.addLabels(Label.newBuilder().setName(k).setValue(v)));
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(ls)
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build();
  }

  static QueryServiceGrpc.QueryServiceBlockingStub query(String url, String token, String project) {
    return GrpcTestClients.stub(url, token, project, QueryServiceGrpc.QueryServiceBlockingStub.class);
  }

  static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static QueryRequest merge(String query, Instant start, Instant end, QueryRequest.ReportType type) {
    return QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_MERGE).setReportType(type)
        .setMerge(MergeProfile.newBuilder().setQuery(query).setStart(ts(start)).setEnd(ts(end))).build();
  }

  static Profile gunzip(ByteString gz) {
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
      return Profile.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The profile types of a pprof under ingestion's naming. */
  static java.util.List<String> types(String name, Profile p) {
    var st = p.getStringTableList();
    String period = st.get((int) p.getPeriodType().getType()) + ":" + st.get((int) p.getPeriodType().getUnit());
    return p.getSampleTypeList().stream().map(t -> name + ":" + st.get((int) t.getType()) + ":"
        + st.get((int) t.getUnit()) + ":" + period + (p.getDurationNanos() != 0 ? ":delta" : "")).toList();
  }
}
