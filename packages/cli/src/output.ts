import type { CliError } from './errors';

export type Write = (text: string) => void;

/** What a command produced: the object printed by --json, the line(s) printed otherwise. */
export interface CommandResult {
  json: object;
  human: string;
}

/**
 * The CLI's only way to print. With --json, stdout carries exactly one JSON object (the
 * result, or `{success: false, error, message}`); everything else goes to stderr.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Write,
    private readonly stderr: Write,
  ) {}

  result(r: CommandResult): void {
    this.stdout(this.json ? `${JSON.stringify(r.json)}\n` : `${r.human}\n`);
  }

  /** A diagnostic for humans, never on stdout. */
  note(message: string): void {
    this.stderr(`${message}\n`);
  }

  error(e: CliError): void {
    const message = e.message.replace(/\s*\n\s*/g, ' ');
    if (this.json) {
      const body = { success: false, error: e.code, message, ...(e.details?.length ? { details: e.details } : {}) };
      this.stdout(`${JSON.stringify(body)}\n`);
    } else {
      this.stderr(`error [${e.code}]: ${message}\n`);
    }
  }

  /** Where commander's own help goes: stderr when stdout is reserved for JSON. */
  help(text: string): void {
    (this.json ? this.stderr : this.stdout)(text);
  }

  diagnostics(text: string): void {
    this.stderr(text);
  }
}

/** `--json` before any `--` terminator: known before parsing, so parse errors are JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
