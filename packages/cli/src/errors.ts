import { AppError, type ErrorCode, type ErrorDetail } from '@utm/contracts';
import { ConfigError } from '@utm/config';

/** Error codes of the CLI: the platform's, plus CONFIG_ERROR for a missing or bad environment. */
export type CliErrorCode = ErrorCode | 'CONFIG_ERROR';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad flag value: VALIDATION_ERROR naming the flag. */
export function invalid(flag: string, message: string): CliError {
  return new CliError('VALIDATION_ERROR', `${flag} ${message}`, [{ field: flag, message }]);
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? text;
}

/** Prisma's P1xxx codes (and pool timeouts) mean the database is not there. */
function isDatabaseUnavailable(err: { code?: unknown }): boolean {
  return typeof err.code === 'string' && (/^P1\d{3}$/.test(err.code) || err.code === 'P2024');
}

/** Any error as a CliError with a one-line message (Prisma's carry code frames: keep the last line). */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof AppError) return new CliError(err.code, err.message, err.details);
  if (err instanceof ConfigError)
    return new CliError('CONFIG_ERROR', `invalid configuration: ${err.problems.join('; ')}`);
  if (err instanceof Error) {
    if (isDatabaseUnavailable(err as { code?: unknown })) {
      return new CliError('SERVICE_UNAVAILABLE', `database unavailable: ${lastLine(err.message)}`);
    }
    return new CliError('INTERNAL_ERROR', lastLine(err.message));
  }
  return new CliError('INTERNAL_ERROR', String(err));
}
