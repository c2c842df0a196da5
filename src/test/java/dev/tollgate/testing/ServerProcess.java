package dev.tollgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tollgate server} in a child JVM, as a user runs it: real flags, real stdout/stderr
 * (captured for assertions), real signals.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (https?://localhost:(\\d+))");

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final CountDownLatch started = new CountDownLatch(1);
  private volatile String url;
  private Thread reader;

  private ServerProcess(Process process) {
    this.process = process;
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.append(line).append('\n');
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            url = m.group(1);
          }
          if (line.startsWith("Ready.")) {
            started.countDown();
          }
        }
      } catch (IOException ignored) {
        // process ended
      }
      started.countDown();
    });
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code tollgate server --port 0 <args>} and waits until it listens. */
  public static ServerProcess start(Path workDir, String... args) throws Exception {
    return startWithJvmOptions(workDir, List.of(), args);
  }

  /** As {@link #start}, with options for the child JVM (e.g. {@code -Xmx256m}) before the class path. */
  public static ServerProcess startWithJvmOptions(Path workDir, List<String> jvmOptions, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.tollgate.cli.Main");
    cmd.add("server");
    cmd.add("--port=0");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_"));
    ServerProcess sp = new ServerProcess(pb.start());
    if (!sp.started.await(60, TimeUnit.SECONDS) || sp.url == null) {
      sp.process.destroyForcibly();
      throw new IllegalStateException("server did not start:\n" + sp.output);
    }
    return sp;
  }

  public String url() {
    return url;
  }

  public String output() {
    return output.toString();
  }

  public Process process() {
    return process;
  }

  /** The {@code --database-url} flag for {@code url}, its credentials in the URL. */
  public static String databaseFlag(dev.tollgate.db.DatabaseUrl url) {
    return "--database-url=" + TestServer.jdbcUrlWithCredentials(url);
  }

  /** The id of project 'default', as the first start printed it. */
  public String defaultProjectId() {
    java.util.regex.Matcher m = Pattern.compile("project 'default'\\s+id (\\S+)").matcher(output());
    if (!m.find()) {
      throw new AssertionError("the server printed no default project:\n" + output());
    }
    return m.group(1);
  }

  /** SIGKILL, as a crash: nothing is drained or flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Sends SIGTERM and waits for the exit code. */
  public int terminate(Duration timeout) throws InterruptedException {
    // Through the handle: Process.destroy() would also close our ends of the pipes, losing the last output.
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    reader.join(5000);
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
