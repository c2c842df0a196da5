#!/usr/bin/env python3
"""Sends every pprof file of a directory through WriteRaw with the C-core gRPC stack, as agents do.

Usage: send_pprof.py <stubs-dir> <host:port> <project-id> <token> <pprof-dir>
The stubs are generated from Tollgate's .proto files at test time (python3 -m grpc_tools.protoc).
"""
import os
import sys


def main():
    stubs, target, project, token, pprof_dir = sys.argv[1:6]
    sys.path.insert(0, stubs)
    import grpc
    from parca.profilestore.v1alpha1 import profilestore_pb2, profilestore_pb2_grpc

    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    metadata = [("authorization", "Bearer " + token), ("projectid", project)]
    sent = 0
    with grpc.insecure_channel(target, options=options) as channel:
        stub = profilestore_pb2_grpc.ProfileStoreServiceStub(channel)
        for name in sorted(os.listdir(pprof_dir)):
            if not name.endswith(".pb.gz"):
                continue
            with open(os.path.join(pprof_dir, name), "rb") as f:
                data = f.read()
            series_name = "py_" + name[: -len(".pb.gz")].replace("-", "_")
            req = profilestore_pb2.WriteRawRequest(series=[profilestore_pb2.RawProfileSeries(
                labels=profilestore_pb2.LabelSet(labels=[
                    profilestore_pb2.Label(name="__name__", value=series_name),
                    profilestore_pb2.Label(name="client", value="python-c-core"),
                ]),
                samples=[profilestore_pb2.RawSample(raw_profile=data)],
            )])
            stub.WriteRaw(req, metadata=metadata, timeout=30)
            sent += 1
        # a refused call must surface the server's status code
        try:
            stub.WriteRaw(profilestore_pb2.WriteRawRequest(), metadata=[("authorization", "Bearer nope"),
                                                                        ("projectid", project)], timeout=30)
            print("refusal: OK")
        except grpc.RpcError as e:
            print("refusal: " + e.code().name)
    print("sent: %d" % sent)


if __name__ == "__main__":
    main()
