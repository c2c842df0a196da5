package dev.tollgate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads grouped by kind: Java threads by name (event loops,
 * virtual-thread carriers, segment writer, ...) from {@link ThreadMXBean}, the JVM's own GC and
 * JIT threads from {@code /proc/self/task} (Linux only). Threads that end between two snapshots
 * are not counted.
 */
final class ThreadCpu {
  private static final long NANOS_PER_TICK = 10_000_000; // USER_HZ is 100 on every Linux we run on

  private ThreadCpu() {}

  /** CPU nanoseconds per group, and per group + " (sys)" the part spent in the kernel. */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] ids = mx.getAllThreadIds();
    ThreadInfo[] infos = mx.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long cpu = mx.getThreadCpuTime(ids[i]);
      long user = mx.getThreadUserTime(ids[i]);
      // the callers count their own CPU: they end with the run, possibly before the second snapshot
      if (infos[i] == null || cpu < 0 || user < 0 || infos[i].getThreadName().startsWith("Thread-")) {
        continue;
      }
      String g = group(infos[i].getThreadName());
      out.merge(g, cpu, Long::sum);
      out.merge(g + " (sys)", cpu - user, Long::sum);
    }
    nativeThreads(out);
    return out;
  }

  private static void nativeThreads(Map<String, Long> out) {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(tasks)) {
      for (Path d : dirs.toList()) {
        try {
          String stat = Files.readString(d.resolve("stat"));
          // comm is in parentheses and may contain spaces; utime and stime are fields 14 and 15
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(stat.indexOf('(') + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          String g = comm.startsWith("C1 ") || comm.startsWith("C2 ") ? "JIT"
              : comm.startsWith("GC ") || comm.startsWith("G1 ") ? "GC" : null;
          if (g != null) {
            out.merge(g, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK, Long::sum);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux
    }
  }

  static String group(String name) {
    if (name.startsWith("armeria-common-worker")) {
      return "event loops";
    }
    if (name.startsWith("armeria-common-blocking")) {
      return "blocking tasks";
    }
    if (name.startsWith("ForkJoinPool-")) {
      return "virtual threads";
    }
    if (name.startsWith("tollgate-segment-writer")) {
      return "segment writer";
    }
    return "other";
  }

  /** {@code after - before} per group, in ms of CPU per call. */
  static String perCall(Map<String, Long> before, Map<String, Long> after, long calls) {
    StringBuilder sb = new StringBuilder();
    after.forEach((group, ns) -> {
      double ms = (ns - before.getOrDefault(group, 0L)) / 1e6 / Math.max(1, calls);
      if (ms >= 0.005) {
        sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%s %.2f", group, ms));
      }
    });
    return sb.toString();
  }
}
