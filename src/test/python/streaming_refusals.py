#!/usr/bin/env python3
"""Refused streaming calls from the C-core gRPC stack, each repeated, the client sending on after the refusal.

Usage: streaming_refusals.py <stubs-dir> <host:port> <project-id> <rounds>
Tokens come from the environment (WRITER, PROFILE_WRITER, VIEWER), so they are on no command line.
Prints one line per scenario: "<scenario>: <CODE>=<count> ..." and, for the oversize messages, the
details the server sent ("<scenario> details: ...").
"""
import os
import sys
import time
from collections import Counter


def main():
    stubs, target, project, rounds = sys.argv[1:5]
    rounds = int(rounds)
    sys.path.insert(0, stubs)
    import grpc
    from parca.profilestore.v1alpha1 import profilestore_pb2, profilestore_pb2_grpc
    from parca.debuginfo.v1alpha1 import debuginfo_pb2, debuginfo_pb2_grpc

    # no send limit on the client: an oversize message must be refused by the server, not locally
    options = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", 64 << 20)]

    def md(token):
        m = [("projectid", project)]
        if token is not None:
            m.append(("authorization", "Bearer " + token))
        return m

    chunk = bytes(64 << 10)

    def records(first, more=8):
        yield profilestore_pb2.WriteRequest(record=first)
        for _ in range(more):
            time.sleep(0.002)  # still sending after the server answered
            yield profilestore_pb2.WriteRequest(record=chunk)

    def uploads(first, more=8):
        yield first
        for _ in range(more):
            time.sleep(0.002)
            yield debuginfo_pb2.UploadRequest(chunk_data=chunk)

    info = debuginfo_pb2.UploadRequest(info=debuginfo_pb2.UploadInfo(build_id="b1d0ff", upload_id="nope"))
    # One connection per scenario: a client resets each stream it was still sending on, and Armeria
    # closes a connection past 400 resets a minute (its rapid-reset guard).
    channels = []

    def channel():
        # its own connection: C-core shares connections between channels unless told not to
        channels.append(grpc.insecure_channel(target, options=options + [("grpc.use_local_subchannel_pool", 1)]))
        return channels[-1]

    def write(token, first, more=8):
        store = profilestore_pb2_grpc.ProfileStoreServiceStub(channels[-1])
        for _ in store.Write(records(first, more), metadata=md(token), timeout=60):
            pass

    def upload(token, first, more=8):
        debuginfo_pb2_grpc.DebuginfoServiceStub(channels[-1]).Upload(uploads(first, more), metadata=md(token),
                                                                     timeout=60)

    writer, profile_writer, viewer = os.environ["WRITER"], os.environ["PROFILE_WRITER"], os.environ["VIEWER"]
    junk = bytes(1024)
    scenarios = [
        ("write-no-token", lambda: write(None, junk)),
        ("write-bad-token", lambda: write("psc_v1_nothex", junk)),
        ("write-viewer", lambda: write(viewer, junk)),
        ("write-invalid-record", lambda: write(writer, junk)),
        ("upload-no-token", lambda: upload(None, info)),
        ("upload-profile-writer", lambda: upload(profile_writer, info)),
        ("upload-chunk-first", lambda: upload(writer, debuginfo_pb2.UploadRequest(chunk_data=junk))),
        ("upload-unknown-id", lambda: upload(writer, info)),
    ]
    for name, call in scenarios:
        channel()
        details = []
        codes = run(call, rounds, details)
        print("%s: %s" % (name, " ".join("%s=%d" % kv for kv in sorted(codes.items()))), flush=True)
        print("%s details: %s" % (name, " | ".join(sorted(set(details)))), flush=True)

    big = bytes(70_000_000)
    raw = profilestore_pb2.WriteRawRequest(series=[profilestore_pb2.RawProfileSeries(
        samples=[profilestore_pb2.RawSample(raw_profile=big)])])

    def write_raw():
        profilestore_pb2_grpc.ProfileStoreServiceStub(channels[-1]).WriteRaw(raw, metadata=md(writer), timeout=60)

    for name, call in [("writeraw-70mb", write_raw), ("write-70mb", lambda: write(writer, big, 2))]:
        channel()
        details = []
        codes = run(call, 3, details)
        print("%s: %s" % (name, " ".join("%s=%d" % kv for kv in sorted(codes.items()))), flush=True)
        print("%s details: %s" % (name, " | ".join(sorted(set(details)))), flush=True)
    for c in channels:
        c.close()


def run(call, rounds, details=None):
    import grpc
    codes = Counter()
    for _ in range(rounds):
        try:
            call()
            codes["OK"] += 1
        except grpc.RpcError as e:
            codes[e.code().name] += 1
            if details is not None:
                details.append(e.details() or "")
    return codes


if __name__ == "__main__":
    main()
