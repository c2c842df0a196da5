package dev.tollgate.cli;

import static java.util.Objects.requireNonNull;

import dev.tollgate.server.ServerCommand;
import java.time.InstantSource;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate <command>}: the server, and client commands that call its REST API.
 * {@link #main} is the only place that exits; everything else returns an exit code from
 * {@link ExitCodes}.
 */
@Command(name = "tollgate", mixinStandardHelpOptions = true, version = "tollgate 0.1.0",
    description = "Identity and access for continuous profiling.",
    subcommands = {ServerCommand.class, ProjectsCommand.class, ServiceAccountsCommand.class, TokensCommand.class,
        RoleBindingsCommand.class, CanICommand.class, AuditCommand.class, PushCommand.class, StatsCommand.class,
        LegacyTokensCommand.class, MigrateCommand.class, SampleProfileCommand.class,
        QueryCommand.class, dev.tollgate.server.ResetPasswordCommand.class})
public final class Main implements Runnable {
  private final Map<String, String> env;
  private final InstantSource clock;

  @Spec CommandSpec spec;

  /** With the process environment and the system clock. */
  public Main() {
    this(System.getenv(), InstantSource.system());
  }

  /** With the given environment (for TOLLGATE_SERVER, TOLLGATE_TOKEN, TOLLGATE_ORG) and clock. */
  public Main(Map<String, String> env, InstantSource clock) {
    this.env = Map.copyOf(requireNonNull(env, "env"));
    this.clock = requireNonNull(clock, "clock");
  }

  Map<String, String> env() {
    return env;
  }

  InstantSource clock() {
    return clock;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The whole command line, ready to {@code execute}: {@link CliException}s become
   * {@code error: <message>} on stderr and their exit code; every client command's help lists
   * the exit codes.
   */
  public static CommandLine commandLine(Map<String, String> env, InstantSource clock) {
    CommandLine cl = new CommandLine(new Main(env, clock));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliException ce) {
        cmd.getErr().println("error: " + ce.getMessage());
        cmd.getErr().flush();
        return ce.exitCode();
      }
      // A bug in the client; not exit 1, which means "no" to scripts using can-i.
      cmd.getErr().println("error: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
      cmd.getErr().flush();
      return ExitCodes.SERVER_ERROR;
    });
    documentExitCodes(cl);
    return cl;
  }

  private static void documentExitCodes(CommandLine cl) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!(sub.getCommand() instanceof ClientCommand || sub.getCommand() instanceof CommandGroup)) {
        continue;
      }
      sub.getCommandSpec().usageMessage()
          .exitCodeListHeading("%nExit codes:%n")
          .exitCodeList(ExitCodes.help(sub.getCommand() instanceof CanICommand));
      documentExitCodes(sub);
    }
  }

  public static void main(String[] args) {
    // Client commands print their answer, not the HTTP library's start-up INFO lines; the server
    // keeps INFO. An explicit -Dorg.slf4j.simpleLogger.defaultLogLevel wins.
    if (args.length == 0 || !args[0].equals("server")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
          System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }
    System.exit(commandLine(System.getenv(), InstantSource.system()).execute(args));
  }
}
