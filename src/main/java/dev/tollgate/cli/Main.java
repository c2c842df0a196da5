package dev.tollgate.cli;

import dev.tollgate.server.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tollgate <command>}. */
@Command(name = "tollgate", mixinStandardHelpOptions = true, version = "tollgate 0.1.0",
    description = "Identity and access for continuous profiling.",
    subcommands = {ServerCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }
}
