package dev.tollgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: called alone it is a usage error (exit 2). */
@Command(mixinStandardHelpOptions = true)
abstract class CommandGroup implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: one of "
        + spec.subcommands().values().stream().map(CommandLine::getCommandName).distinct().toList());
  }
}
