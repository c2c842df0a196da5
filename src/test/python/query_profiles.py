#!/usr/bin/env python3
"""Calls every QueryService RPC with the C-core gRPC stack and prints one line per answer.

Usage: query_profiles.py <stubs-dir> <host:port> <project-id> <token> <profile-type> <start-s> <end-s>
The stubs are generated from Tollgate's .proto files at test time (python3 -m grpc_tools.protoc).
"""
import gzip
import sys


def main():
    stubs, target, project, token, ptype, start, end = sys.argv[1:8]
    sys.path.insert(0, stubs)
    import grpc
    from google.protobuf import timestamp_pb2
    from parca.query.v1alpha1 import query_pb2, query_pb2_grpc

    metadata = [("authorization", "Bearer " + token), ("projectid", project)]
    s = timestamp_pb2.Timestamp(seconds=int(start))
    e = timestamp_pb2.Timestamp(seconds=int(end))
    options = [("grpc.max_receive_message_length", 64 << 20)]
    with grpc.insecure_channel(target, options=options) as channel:
        stub = query_pb2_grpc.QueryServiceStub(channel)
        types = stub.ProfileTypes(query_pb2.ProfileTypesRequest(), metadata=metadata)
        print("types:", ",".join(sorted(
            "%s:%s:%s:%s:%s%s" % (t.name, t.sample_type, t.sample_unit, t.period_type, t.period_unit,
                                  ":delta" if t.delta else "") for t in types.types)))
        labels = stub.Labels(query_pb2.LabelsRequest(), metadata=metadata)
        print("labels:", ",".join(labels.label_names))
        values = stub.Values(query_pb2.ValuesRequest(label_name="job"), metadata=metadata)
        print("values:", ",".join(values.label_values))
        has = stub.HasProfileData(query_pb2.HasProfileDataRequest(), metadata=metadata)
        print("has_data:", has.has_data)
        rng = stub.QueryRange(query_pb2.QueryRangeRequest(query=ptype, start=s, end=e), metadata=metadata)
        print("range:", ",".join(str(p.value) for series in rng.series for p in series.samples))
        merge = query_pb2.MergeProfile(query=ptype, start=s, end=e)
        pprof = stub.Query(query_pb2.QueryRequest(mode=query_pb2.QueryRequest.MODE_MERGE, merge=merge,
                                                  report_type=query_pb2.QueryRequest.REPORT_TYPE_PPROF),
                           metadata=metadata)
        print("pprof_total:", pprof.total, "gzip:", gzip.decompress(pprof.pprof)[:0] == b"")
        top = stub.Query(query_pb2.QueryRequest(mode=query_pb2.QueryRequest.MODE_MERGE, merge=merge,
                                                report_type=query_pb2.QueryRequest.REPORT_TYPE_TOP),
                         metadata=metadata)
        print("top_first:", top.top.list[0].meta.function.name, top.top.list[0].flat)
        fg = stub.Query(query_pb2.QueryRequest(mode=query_pb2.QueryRequest.MODE_MERGE, merge=merge,
                                               report_type=query_pb2.QueryRequest.REPORT_TYPE_FLAMEGRAPH_TABLE),
                        metadata=metadata)
        print("flamegraph_root:", fg.flamegraph.root.cumulative)
        arrow = stub.Query(query_pb2.QueryRequest(mode=query_pb2.QueryRequest.MODE_MERGE, merge=merge,
                                                  report_type=query_pb2.QueryRequest.REPORT_TYPE_FLAMEGRAPH_ARROW),
                           metadata=metadata)
        print("arrow_bytes:", len(arrow.flamegraph_arrow.record) > 0, arrow.flamegraph_arrow.unit)
        try:
            stub.Query(query_pb2.QueryRequest(mode=query_pb2.QueryRequest.MODE_MERGE, merge=merge,
                                              report_type=query_pb2.QueryRequest.REPORT_TYPE_CALLGRAPH),
                       metadata=metadata)
        except grpc.RpcError as err:
            print("callgraph:", err.code().name)
        try:
            stub.ProfileTypes(query_pb2.ProfileTypesRequest(), metadata=[("projectid", project)])
        except grpc.RpcError as err:
            print("no_token:", err.code().name)


if __name__ == "__main__":
    main()
