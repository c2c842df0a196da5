package dev.tollgate.query;

import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import io.grpc.Status;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns a merge into the report a Query asked for: gzipped pprof, top table, flame graph table or
 * flame graph Arrow record. Other report types are refused before any data is read.
 */
final class Reports {
  enum Kind { PPROF, TOP, FLAMEGRAPH_TABLE, FLAMEGRAPH_ARROW }

  private final BufferAllocator allocator;

  Reports(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  /** The report kind; UNIMPLEMENTED naming the type when it is not one of ours. */
  Kind kind(QueryRequest.ReportType type) {
    return switch (type) {
      case REPORT_TYPE_PPROF -> Kind.PPROF;
      case REPORT_TYPE_TOP -> Kind.TOP;
      case REPORT_TYPE_FLAMEGRAPH_TABLE -> Kind.FLAMEGRAPH_TABLE;
      case REPORT_TYPE_FLAMEGRAPH_ARROW -> Kind.FLAMEGRAPH_ARROW;
      default -> throw Status.UNIMPLEMENTED.withDescription("report type " + type.name()
          + " is not implemented; use REPORT_TYPE_PPROF, REPORT_TYPE_TOP, REPORT_TYPE_FLAMEGRAPH_TABLE"
          + " or REPORT_TYPE_FLAMEGRAPH_ARROW").asRuntimeException();
    };
  }

  QueryResponse render(Kind kind, ProfileMerger.Merged m) {
    long total = TopReport.total(m);
    QueryResponse.Builder b = QueryResponse.newBuilder().setTotal(total).setFiltered(0);
    return switch (kind) {
      case PPROF -> b.setPprof(QueryGrpcService.gzip(m.toProfile().toByteArray())).build();
      case TOP -> b.setTop(TopReport.build(m)).build();
      case FLAMEGRAPH_TABLE -> b.setFlamegraph(FlamegraphTable.build(m)).build();
      case FLAMEGRAPH_ARROW -> b.setFlamegraphArrow(FlamegraphArrow.build(m, allocator)).build();
    };
  }
}
