#!/usr/bin/env python3
"""Calls Tollgate the way today's Parca clients do, with the C-core gRPC stack, and prints one
line per call: "<name>: <status code name>".

Usage: parca_clients.py <stubs-dir> <host:port> <token> <command> [args...]
Commands:
  push <pprof-file>            one WriteRaw with only the authorization header, as parca-push sends
                               it (its headers interceptor is dropped): the project comes from the token
  labels <project> <pprof-file> <name>...   one WriteRaw per label name, with the projectid header
  unknown <project>            calls to a service and a method this server does not serve
  otlp <project> <node>        one OTLP logs and one OTLP metrics Export, as parca-agent sends them
The stubs are generated from Tollgate's .proto files at test time (python3 -m grpc_tools.protoc).
"""
import sys


def main():
    stubs, target, token, command = sys.argv[1:5]
    args = sys.argv[5:]
    sys.path.insert(0, stubs)
    import grpc
    from parca.profilestore.v1alpha1 import profilestore_pb2, profilestore_pb2_grpc

    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    auth = [("authorization", "Bearer " + token)]

    def write_raw(stub, name, labels, data, metadata):
        req = profilestore_pb2.WriteRawRequest(series=[profilestore_pb2.RawProfileSeries(
            labels=profilestore_pb2.LabelSet(labels=[profilestore_pb2.Label(name=k, value=v) for k, v in labels]),
            samples=[profilestore_pb2.RawSample(raw_profile=data)])])
        try:
            stub.WriteRaw(req, metadata=metadata, timeout=30)
            print("%s: OK" % name)
        except grpc.RpcError as e:
            print("%s: %s %s" % (name, e.code().name, e.details()))

    with grpc.insecure_channel(target, options=options) as channel:
        stub = profilestore_pb2_grpc.ProfileStoreServiceStub(channel)
        if command == "push":
            with open(args[0], "rb") as f:
                data = f.read()
            write_raw(stub, "push", [("__name__", "parca_push"), ("job", "push")], data, auth)
        elif command == "labels":
            project, pprof = args[0], args[1]
            with open(pprof, "rb") as f:
                data = f.read()
            for name in args[2:]:
                write_raw(stub, name, [("__name__", "py_labels"), (name, "v")], data,
                          auth + [("projectid", project)])
        elif command == "unknown":
            project = args[0]
            md = auth + [("projectid", project)]
            for path in ["/no.such.v1.Service/Method", "/parca.profilestore.v1alpha1.ProfileStoreService/NoSuchMethod"]:
                call = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
                try:
                    call(b"", metadata=md, timeout=30)
                    print("%s: OK" % path)
                except grpc.RpcError as e:
                    print("%s: %s" % (path, e.code().name))
        elif command == "otlp":
            project, node = args[0], args[1]
            md = auth + [("projectid", project)]
            from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
            from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
            from opentelemetry.proto.logs.v1 import logs_pb2
            from opentelemetry.proto.metrics.v1 import metrics_pb2
            from opentelemetry.proto.common.v1 import common_pb2
            from opentelemetry.proto.resource.v1 import resource_pb2

            def kv(k, v):
                return common_pb2.KeyValue(key=k, value=common_pb2.AnyValue(string_value=v))

            now = int(__import__("time").time() * 1e9)
            logs = logs_service_pb2.ExportLogsServiceRequest(resource_logs=[logs_pb2.ResourceLogs(
                resource=resource_pb2.Resource(attributes=[kv("service.name", "parca-agent"), kv("host.name", node)]),
                scope_logs=[logs_pb2.ScopeLogs(scope=common_pb2.InstrumentationScope(name="parca-agent"),
                                               log_records=[logs_pb2.LogRecord(
                                                   time_unix_nano=now, observed_time_unix_nano=now,
                                                   severity_number=13, severity_text="WARN",
                                                   body=common_pb2.AnyValue(string_value="python says hello"),
                                                   attributes=[kv("level", "WARN")])])])])
            metrics = metrics_service_pb2.ExportMetricsServiceRequest(resource_metrics=[metrics_pb2.ResourceMetrics(
                resource=resource_pb2.Resource(attributes=[kv("node", node)]),
                scope_metrics=[metrics_pb2.ScopeMetrics(scope=common_pb2.InstrumentationScope(name="gpumetrics"),
                                                        metrics=[metrics_pb2.Metric(
                                                            name="gpu_utilization", unit="%",
                                                            gauge=metrics_pb2.Gauge(data_points=[
                                                                metrics_pb2.NumberDataPoint(time_unix_nano=now,
                                                                                            as_double=42.5)]))])])])
            for name, fn in [("logs", lambda: logs_service_pb2_grpc.LogsServiceStub(channel).Export(
                                 logs, metadata=md, timeout=30)),
                             ("metrics", lambda: metrics_service_pb2_grpc.MetricsServiceStub(channel).Export(
                                 metrics, metadata=md, timeout=30))]:
                try:
                    fn()
                    print("%s: OK" % name)
                except grpc.RpcError as e:
                    print("%s: %s %s" % (name, e.code().name, e.details()))
        else:
            raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
