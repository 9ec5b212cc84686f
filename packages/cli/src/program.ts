import { Command, CommanderError } from 'commander';
import type { Db } from '@utm/db';
import { registerAccountCommands } from './commands/accounts';
import { registerBootstrapCommand } from './commands/bootstrap';
import { registerKeyCommands } from './commands/keys';
import { registerQuoteCommands } from './commands/quotes';
import { registerSignalCommands } from './commands/signals';
import { registerUserCommands } from './commands/users';
import type { CliSettings } from './config';
import type { Ctx } from './context';
import { CliError, toCliError } from './errors';
import { Output, wantsJson, type Write } from './output';

/** Everything a command touches from outside, so tests run commands in-process. */
export interface CliDeps {
  out: Write;
  err: Write;
  /** Read lazily: `utm --help` works without DATABASE_URL. */
  settings: () => CliSettings;
  /** Created lazily from the settings, on the first command that needs it; the caller closes it. */
  db: (settings: CliSettings) => Db;
}

export function buildProgram(ctx: Ctx): Command {
  // Set before adding commands: subcommands inherit exitOverride and configureOutput.
  const program = new Command('utm')
    .description('Ops CLI of the signal platform: users, API keys, accounts, quotes, signals')
    .option('--json', 'print exactly one JSON object on stdout, errors included; diagnostics go to stderr')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.output.help(s), writeErr: (s) => ctx.output.diagnostics(s) });
  registerUserCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAccountCommands(program, ctx);
  registerQuoteCommands(program, ctx);
  registerSignalCommands(program, ctx);
  registerBootstrapCommand(program, ctx);
  return program;
}

function commanderMessage(err: CommanderError): string {
  if (err.code === 'commander.help') return 'a command is required (see utm --help)';
  return err.message.replace(/^error:\s*/, '');
}

/** Runs one command line (without node and script); resolves to the process exit code. */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  const output = new Output(wantsJson(argv), deps.out, deps.err);
  const ctx: Ctx = { output, settings: deps.settings, prisma: () => deps.db(deps.settings()).prisma };
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help
      // Commander already wrote its message to stderr; --json also wants the error object.
      if (output.json) output.error(new CliError('VALIDATION_ERROR', commanderMessage(err)));
      return 1;
    }
    output.error(toCliError(err));
    return 1;
  }
}
