package dev.tollgate.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.proto.otlp.collector.logs.v1.ExportLogsServiceRequest;
import dev.tollgate.proto.otlp.collector.metrics.v1.ExportMetricsServiceRequest;
import dev.tollgate.proto.otlp.common.v1.AnyValue;
import dev.tollgate.proto.otlp.common.v1.KeyValue;
import dev.tollgate.proto.otlp.logs.v1.LogRecord;
import dev.tollgate.proto.otlp.logs.v1.ResourceLogs;
import dev.tollgate.proto.otlp.logs.v1.ScopeLogs;
import dev.tollgate.proto.otlp.metrics.v1.Metric;
import dev.tollgate.proto.otlp.metrics.v1.NumberDataPoint;
import dev.tollgate.proto.otlp.metrics.v1.ResourceMetrics;
import dev.tollgate.proto.otlp.metrics.v1.ScopeMetrics;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * OTLP logs and metric points per project, as agents export them: one row per log record and
 * per metric data point, with the node (resource attribute {@code node}, else {@code host.name}),
 * attributes as JSON, bodies and attribute JSON cut to {@value #MAX_TEXT} characters. Reads are
 * bounded ({@value #MAX_ROWS} rows).
 */
final class OtlpStore {
  static final int MAX_TEXT = 16 << 10;
  static final int MAX_ROWS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final InstantSource clock;

  OtlpStore(Jdbi jdbi, InstantSource clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** A stored log record. */
  record LogRow(long timeNanos, String node, int severityNumber, String severityText, String body,
      String attributes, String resource, String scope) {}

  /** One metric of a node: its latest point and how many are stored. */
  record MetricRow(String name, String unit, String type, String node, long points, long lastTimeNanos,
      Double lastValue) {}

  /** Stored counts of one node. */
  record NodeCounts(String node, long logRecords, long metricPoints, long lastReceivedMillis) {}

  /** Stores every record; returns how many. */
  int addLogs(IngestGrant grant, ExportLogsServiceRequest req) {
    long now = clock.millis();
    return jdbi.inTransaction(h -> {
      PreparedBatch b = h.prepareBatch("INSERT INTO otlp_logs (project_id, received_at, time_nanos, node,"
          + " severity_number, severity_text, body, attributes, resource, scope, source_id)"
          + " VALUES (:p, :r, :t, :n, :sn, :st, :b, :a, :res, :sc, :src)");
      int count = 0;
      for (ResourceLogs rl : req.getResourceLogsList()) {
        Map<String, Object> resource = attributes(rl.getResource().getAttributesList());
        String node = node(resource);
        String resourceJson = json(resource);
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          for (LogRecord r : sl.getLogRecordsList()) {
            long t = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano() != 0
                ? r.getObservedTimeUnixNano() : now * 1_000_000;
            b.bind("p", grant.projectId().toString()).bind("r", now).bind("t", t).bind("n", node)
                .bind("sn", r.getSeverityNumber()).bind("st", r.getSeverityText())
                .bind("b", cut(r.getBody().hasStringValue() ? r.getBody().getStringValue() : json(value(r.getBody()))))
                .bind("a", cut(json(attributes(r.getAttributesList())))).bind("res", cut(resourceJson))
                .bind("sc", sl.getScope().getName()).bind("src", grant.sourceId()).add();
            count++;
          }
        }
      }
      if (count > 0) {
        b.execute();
      }
      return count;
    });
  }

  /** Stores every data point; returns how many. */
  int addMetrics(IngestGrant grant, ExportMetricsServiceRequest req) {
    long now = clock.millis();
    return jdbi.inTransaction(h -> {
      PreparedBatch b = h.prepareBatch("INSERT INTO otlp_metric_points (project_id, received_at, time_nanos, node,"
          + " name, unit, metric_type, value, point_count, attributes, scope, source_id)"
          + " VALUES (:p, :r, :t, :n, :name, :unit, :type, :v, :c, :a, :sc, :src)");
      int count = 0;
      for (ResourceMetrics rm : req.getResourceMetricsList()) {
        String node = node(attributes(rm.getResource().getAttributesList()));
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            List<Point> points = points(m);
            for (Point pt : points) {
              b.bind("p", grant.projectId().toString()).bind("r", now)
                  .bind("t", pt.timeNanos != 0 ? pt.timeNanos : now * 1_000_000).bind("n", node)
                  .bind("name", m.getName()).bind("unit", m.getUnit()).bind("type", type(m))
                  .bind("v", pt.value).bind("c", pt.count).bind("a", cut(json(attributes(pt.attributes))))
                  .bind("sc", sm.getScope().getName()).bind("src", grant.sourceId()).add();
              count++;
            }
          }
        }
      }
      if (count > 0) {
        b.execute();
      }
      return count;
    });
  }

  /** Log records with {@code fromNanos <= time < toNanos}, newest first, at most {@code limit}. */
  List<LogRow> logs(UUID projectId, long fromNanos, long toNanos, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT time_nanos, node, severity_number, severity_text, body,"
            + " attributes, resource, scope FROM otlp_logs WHERE project_id = :p AND time_nanos >= :f"
            + " AND time_nanos < :t ORDER BY time_nanos DESC, id DESC LIMIT :l")
        .bind("p", projectId.toString()).bind("f", fromNanos).bind("t", toNanos).bind("l", Math.min(limit, MAX_ROWS))
        .map((rs, ctx) -> new LogRow(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8)))
        .list());
  }

  /** Every metric name per node and unit, with its point count and latest point, by name. */
  List<MetricRow> metrics(UUID projectId) {
    return jdbi.withHandle(h -> {
      List<MetricRow> out = new ArrayList<>();
      h.createQuery("SELECT name, unit, metric_type, node, COUNT(*), MAX(time_nanos) FROM otlp_metric_points"
              + " WHERE project_id = :p GROUP BY name, unit, metric_type, node ORDER BY name, node LIMIT " + MAX_ROWS)
          .bind("p", projectId.toString())
          .map((rs, ctx) -> new MetricRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getLong(5), rs.getLong(6), null))
          .forEach(out::add);
      List<MetricRow> withValues = new ArrayList<>(out.size());
      for (MetricRow m : out) {
        Double last = h.createQuery("SELECT value FROM otlp_metric_points WHERE project_id = :p AND name = :n"
                + " AND time_nanos = :t AND " + (m.node() == null ? "node IS NULL" : "node = :node")
                + " ORDER BY id DESC LIMIT 1")
            .bind("p", projectId.toString()).bind("n", m.name()).bind("t", m.lastTimeNanos()).bind("node", m.node())
            .mapTo(Double.class).findOne().orElse(null);
        withValues.add(new MetricRow(m.name(), m.unit(), m.type(), m.node(), m.points(), m.lastTimeNanos(), last));
      }
      return withValues;
    });
  }

  /** Stored log records and metric points per node. */
  List<NodeCounts> countsByNode(UUID projectId) {
    return jdbi.withHandle(h -> {
      Map<String, long[]> byNode = new TreeMap<>();
      h.createQuery("SELECT COALESCE(node, ''), COUNT(*), MAX(received_at) FROM otlp_logs WHERE project_id = :p"
              + " GROUP BY COALESCE(node, '')").bind("p", projectId.toString())
          .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)})
          .forEach(r -> merge(byNode, (String) r[0], (long) r[1], 0, (long) r[2]));
      h.createQuery("SELECT COALESCE(node, ''), COUNT(*), MAX(received_at) FROM otlp_metric_points"
              + " WHERE project_id = :p GROUP BY COALESCE(node, '')").bind("p", projectId.toString())
          .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)})
          .forEach(r -> merge(byNode, (String) r[0], 0, (long) r[1], (long) r[2]));
      List<NodeCounts> out = new ArrayList<>();
      byNode.forEach((n, c) -> out.add(new NodeCounts(n.isEmpty() ? null : n, c[0], c[1], c[2])));
      return out;
    });
  }

  /** Deletes rows received before {@code cutoffMillis}; returns how many. */
  int deleteReceivedBefore(long cutoffMillis) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM otlp_logs WHERE received_at < :c").bind("c", cutoffMillis)
        .execute() + h.createUpdate("DELETE FROM otlp_metric_points WHERE received_at < :c").bind("c", cutoffMillis)
        .execute());
  }

  private static void merge(Map<String, long[]> m, String node, long logs, long points, long last) {
    long[] c = m.computeIfAbsent(node, k -> new long[3]);
    c[0] += logs;
    c[1] += points;
    c[2] = Math.max(c[2], last);
  }

  private record Point(long timeNanos, Double value, Long count, List<KeyValue> attributes) {}

  private static List<Point> points(Metric m) {
    List<Point> out = new ArrayList<>();
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> out.add(number(p)));
      case SUM -> m.getSum().getDataPointsList().forEach(p -> out.add(number(p)));
      case HISTOGRAM -> m.getHistogram().getDataPointsList().forEach(p -> out.add(new Point(p.getTimeUnixNano(),
          p.getSum(), p.getCount(), p.getAttributesList())));
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().forEach(p -> out.add(new Point(
          p.getTimeUnixNano(), p.getSum(), p.getCount(), p.getAttributesList())));
      case SUMMARY -> m.getSummary().getDataPointsList().forEach(p -> out.add(new Point(p.getTimeUnixNano(),
          p.getSum(), p.getCount(), p.getAttributesList())));
      case DATA_NOT_SET -> { }
    }
    return out;
  }

  private static Point number(NumberDataPoint p) {
    Double v = switch (p.getValueCase()) {
      case AS_DOUBLE -> p.getAsDouble();
      case AS_INT -> (double) p.getAsInt();
      case VALUE_NOT_SET -> null;
    };
    return new Point(p.getTimeUnixNano(), v, null, p.getAttributesList());
  }

  private static String type(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> "gauge";
      case SUM -> "sum";
      case HISTOGRAM -> "histogram";
      case EXPONENTIAL_HISTOGRAM -> "exponential_histogram";
      case SUMMARY -> "summary";
      case DATA_NOT_SET -> "none";
    };
  }

  static String node(Map<String, Object> resource) {
    Object n = resource.get("node");
    if (n == null) {
      n = resource.get("host.name");
    }
    return n == null ? null : String.valueOf(n);
  }

  static Map<String, Object> attributes(List<KeyValue> kvs) {
    Map<String, Object> m = new TreeMap<>();
    for (KeyValue kv : kvs) {
      m.put(kv.getKey(), value(kv.getValue()));
    }
    return m;
  }

  static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpStore::value).toList();
      case KVLIST_VALUE -> attributes(v.getKvlistValue().getValuesList());
      case BYTES_VALUE -> java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case VALUE_NOT_SET -> null;
    };
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cut(String s) {
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
  }
}
