package dev.tollgate.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.InstantSource;
import java.util.Map;

/** Runs the {@code tollgate} command line in-process with captured stdout and stderr. */
final class Cli {
  /** What one run printed and returned. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env;
  private final InstantSource clock;

  Cli(Map<String, String> env) {
    this(env, InstantSource.system());
  }

  Cli(Map<String, String> env, InstantSource clock) {
    this.env = env;
    this.clock = clock;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine(env, clock);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
