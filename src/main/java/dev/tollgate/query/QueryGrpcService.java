package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.profiles.SeriesSummary;
import dev.tollgate.proto.parca.query.v1alpha1.DiffProfile;
import dev.tollgate.proto.parca.query.v1alpha1.HasProfileDataRequest;
import dev.tollgate.proto.parca.query.v1alpha1.HasProfileDataResponse;
import dev.tollgate.proto.parca.query.v1alpha1.LabelsRequest;
import dev.tollgate.proto.parca.query.v1alpha1.LabelsResponse;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileDiffSelection;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileType;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.proto.parca.query.v1alpha1.SeriesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.SeriesResponse;
import dev.tollgate.proto.parca.query.v1alpha1.ShareProfileRequest;
import dev.tollgate.proto.parca.query.v1alpha1.ShareProfileResponse;
import dev.tollgate.proto.parca.query.v1alpha1.SingleProfile;
import dev.tollgate.proto.parca.query.v1alpha1.ValuesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.ValuesResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC edge of the read path: Parca's {@code parca.query.v1alpha1.QueryService}. Reads the
 * grant the interceptor placed in the context, validates the request, runs the query and maps
 * exceptions to status codes in one place ({@link #answer}).
 */
final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(QueryGrpcService.class);

  private final QueryEngine engine;
  private final Reports reports;

  QueryGrpcService(QueryEngine engine, Reports reports) {
    this.engine = requireNonNull(engine, "engine");
    this.reports = requireNonNull(reports, "reports");
  }

  @Override
  public void profileTypes(ProfileTypesRequest req, StreamObserver<ProfileTypesResponse> out) {
    answer(out, () -> {
      QueryEngine.Window w = window(req.hasStart() ? req.getStart() : null, req.hasEnd() ? req.getEnd() : null, false);
      ProfileTypesResponse.Builder b = ProfileTypesResponse.newBuilder();
      for (String t : engine.profileTypes(project(), w)) {
        ProfileTypeName n = ProfileTypeName.parseOrNull(t);
        if (n != null) {
          b.addTypes(ProfileType.newBuilder().setName(n.name()).setSampleType(n.sampleType())
              .setSampleUnit(n.sampleUnit()).setPeriodType(n.periodType()).setPeriodUnit(n.periodUnit())
              .setDelta(n.delta()));
        }
      }
      return b.build();
    });
  }

  @Override
  public void labels(LabelsRequest req, StreamObserver<LabelsResponse> out) {
    answer(out, () -> {
      Set<String> names = new TreeSet<>();
      for (SeriesSummary s : engine.series(project(), selectors(req.getMatchList()),
          window(req.hasStart() ? req.getStart() : null, req.hasEnd() ? req.getEnd() : null, false))) {
        names.addAll(QueryEngine.visibleLabels(s.labels()).keySet());
      }
      return LabelsResponse.newBuilder().addAllLabelNames(names).build();
    });
  }

  @Override
  public void values(ValuesRequest req, StreamObserver<ValuesResponse> out) {
    answer(out, () -> {
      if (req.getLabelName().isEmpty()) {
        throw new InvalidQueryException("label_name is required");
      }
      Set<String> values = new TreeSet<>();
      for (SeriesSummary s : engine.series(project(), selectors(req.getMatchList()),
          window(req.hasStart() ? req.getStart() : null, req.hasEnd() ? req.getEnd() : null, false))) {
        String v = s.labels().get(req.getLabelName());
        if (v != null) {
          values.add(v);
        }
      }
      return ValuesResponse.newBuilder().addAllLabelValues(values).build();
    });
  }

  @Override
  public void hasProfileData(HasProfileDataRequest req, StreamObserver<HasProfileDataResponse> out) {
    answer(out, () -> HasProfileDataResponse.newBuilder()
        .setHasData(!engine.series(project(), List.of(Selector.parse("{}")), new QueryEngine.Window(null, null)).isEmpty())
        .build());
  }

  @Override
  public void queryRange(QueryRangeRequest req, StreamObserver<QueryRangeResponse> out) {
    answer(out, () -> {
      Selector sel = Selector.parse(req.getQuery());
      QueryEngine.requireType(sel);
      QueryEngine.Window w = window(req.hasStart() ? req.getStart() : null, req.hasEnd() ? req.getEnd() : null, true);
      Duration step = null;
      if (req.hasStep()) {
        step = Duration.ofSeconds(req.getStep().getSeconds(), req.getStep().getNanos());
        if (step.isNegative()) {
          throw new InvalidQueryException("step must not be negative");
        }
        if (step.toMillis() == 0) {
          step = null;
        }
      }
      for (String l : req.getSumByList()) {
        if (l.isEmpty()) {
          throw new InvalidQueryException("sum_by has an empty label name");
        }
      }
      RangeReport range = new RangeReport(sel.profileType(), req.getSumByList(), w.start(), step);
      QueryEngine.Reading reading = new QueryEngine.Reading();
      engine.read(project(), sel, w, credentials(), reading, range::add);
      warn(reading);
      return QueryRangeResponse.newBuilder().addAllSeries(range.series()).build();
    });
  }

  @Override
  public void query(QueryRequest req, StreamObserver<QueryResponse> out) {
    answer(out, () -> {
      Reports.Kind kind = reports.kind(req.getReportType());
      QueryEngine.Reading reading = new QueryEngine.Reading();
      ProfileMerger.Merged merged = switch (req.getMode()) {
        case MODE_MERGE -> {
          if (!req.hasMerge()) {
            throw new InvalidQueryException("mode MODE_MERGE needs the merge options");
          }
          ProfileMerger m = new ProfileMerger(1);
          merge(req.getMerge(), m, 0, reading);
          yield m.result();
        }
        case MODE_SINGLE_UNSPECIFIED -> {
          if (!req.hasSingle()) {
            throw new InvalidQueryException("mode MODE_SINGLE_UNSPECIFIED needs the single options");
          }
          ProfileMerger m = new ProfileMerger(1);
          single(req.getSingle(), m, 0, reading);
          yield m.result();
        }
        case MODE_DIFF -> {
          if (!req.hasDiff()) {
            throw new InvalidQueryException("mode MODE_DIFF needs the diff options");
          }
          yield diff(req.getDiff(), reading);
        }
        default -> throw new InvalidQueryException("unknown mode " + req.getModeValue());
      };
      warn(reading);
      return reports.render(kind, merged);
    });
  }

  @Override
  public void series(SeriesRequest req, StreamObserver<SeriesResponse> out) {
    out.onError(Status.UNIMPLEMENTED.withDescription("Series is not implemented (as in Parca); use Labels and Values")
        .asRuntimeException());
  }

  @Override
  public void shareProfile(ShareProfileRequest req, StreamObserver<ShareProfileResponse> out) {
    out.onError(Status.UNIMPLEMENTED.withDescription("ShareProfile (upload to pprof.me) is not offered by Tollgate")
        .asRuntimeException());
  }

  private void merge(MergeProfile m, ProfileMerger merger, int column, QueryEngine.Reading reading) {
    Selector sel = Selector.parse(m.getQuery());
    QueryEngine.Window w = window(m.hasStart() ? m.getStart() : null, m.hasEnd() ? m.getEnd() : null, true);
    engine.read(project(), sel, w, credentials(), reading, s -> merger.add(s.profile(), s.valueIndex(), column));
  }

  private void single(SingleProfile s, ProfileMerger merger, int column, QueryEngine.Reading reading) {
    Selector sel = Selector.parse(s.getQuery());
    if (!s.hasTime()) {
      throw new InvalidQueryException("single.time is required");
    }
    Instant t = instant(s.getTime());
    int before = merger.profiles();
    engine.read(project(), sel, new QueryEngine.Window(t, t), credentials(), reading,
        p -> merger.add(p.profile(), p.valueIndex(), column));
    if (merger.profiles() == before) {
      throw Status.NOT_FOUND.withDescription("no profile received at " + t + " matches " + s.getQuery())
          .asRuntimeException();
    }
  }

  private ProfileMerger.Merged diff(DiffProfile d, QueryEngine.Reading reading) {
    if (!d.hasA() || !d.hasB()) {
      throw new InvalidQueryException("diff needs both a (the base) and b (the compared profile)");
    }
    String typeA = QueryEngine.requireType(Selector.parse(query(d.getA())));
    String typeB = QueryEngine.requireType(Selector.parse(query(d.getB())));
    if (!typeA.equals(typeB)) {
      throw new InvalidQueryException("diff: a and b must select the same profile type (" + typeA + " vs " + typeB + ")");
    }
    ProfileMerger m = new ProfileMerger(2);
    selection(d.getB(), m, 0, reading, "b");
    selection(d.getA(), m, 1, reading, "a");
    return m.result();
  }

  private static String query(ProfileDiffSelection s) {
    return s.hasMerge() ? s.getMerge().getQuery() : s.getSingle().getQuery();
  }

  private void selection(ProfileDiffSelection s, ProfileMerger m, int column, QueryEngine.Reading reading, String name) {
    switch (s.getMode()) {
      case MODE_MERGE -> {
        if (!s.hasMerge()) {
          throw new InvalidQueryException("diff." + name + ": mode MODE_MERGE needs the merge options");
        }
        merge(s.getMerge(), m, column, reading);
      }
      case MODE_SINGLE_UNSPECIFIED -> {
        if (!s.hasSingle()) {
          throw new InvalidQueryException("diff." + name + ": mode MODE_SINGLE_UNSPECIFIED needs the single options");
        }
        single(s.getSingle(), m, column, reading);
      }
      default -> throw new InvalidQueryException("diff." + name + ": unknown mode " + s.getModeValue());
    }
  }

  private static List<Selector> selectors(List<String> match) {
    List<Selector> out = new ArrayList<>();
    for (String m : match) {
      if (!m.isBlank()) {
        out.add(Selector.parse(m));
      }
    }
    return out.isEmpty() ? List.of(Selector.parse("{}")) : out;
  }

  private static QueryEngine.Window window(Timestamp start, Timestamp end, boolean required) {
    if (required && (start == null || end == null)) {
      throw new InvalidQueryException("start and end are required");
    }
    return new QueryEngine.Window(start == null ? null : instant(start), end == null ? null : instant(end));
  }

  private static Instant instant(Timestamp t) {
    if (t.getNanos() < 0 || t.getNanos() > 999_999_999) {
      throw new InvalidQueryException("timestamp has invalid nanos " + t.getNanos());
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static void warn(QueryEngine.Reading reading) {
    for (String w : reading.warnings()) {
      log.warn("query: {}", w);
      ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
      if (ctx != null) {
        ctx.mutateAdditionalResponseTrailers(t -> t.add("tollgate-warning", w));
      }
    }
  }

  private static UUID project() {
    QueryGrant g = QueryAuthInterceptor.GRANT.get();
    if (g == null) {
      throw Status.UNAUTHENTICATED.withDescription(QueryAuthInterceptor.FAILED).asRuntimeException();
    }
    return g.projectId();
  }

  private static BlobReader.Credentials credentials() {
    BlobReader.Credentials c = QueryAuthInterceptor.CREDENTIALS.get();
    return c == null ? new BlobReader.Credentials(null, null) : c;
  }

  /** The one place domain exceptions become status codes. */
  private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
    T result;
    try {
      result = work.get();
    } catch (InvalidQueryException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (BlobReader.PeerUnavailableException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (TollgateException e) {
      // e.g. stored profiles or debug info in object storage that cannot be reached right now
      out.onError(Status.fromCode(e.kind().grpcCode()).withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IllegalArgumentException e) {
      log.warn("query failed on stored data: {}", e.getMessage());
      out.onError(Status.INTERNAL.withDescription("a stored profile could not be read: " + e.getMessage())
          .asRuntimeException());
      return;
    } catch (RuntimeException e) {
      log.error("query failed", e);
      out.onError(Status.INTERNAL.withDescription("query failed").asRuntimeException());
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  static ByteString gzip(byte[] bytes) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(buf, 64 << 10)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(buf.toByteArray());
  }
}
