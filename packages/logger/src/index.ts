import { Writable } from 'node:stream';
import winston from 'winston';
import { redact, redactString } from './redact';

export { redact, redactString, REDACTED } from './redact';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where JSON lines go; stdout by default. Tests pass a capture stream. */
  stream?: NodeJS.WritableStream;
}

// Every field of every entry passes through redaction, whatever a caller put there.
const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    info[key] = redact(info[key]);
  }
  if (typeof info.message === 'string') info.message = redactString(info.message);
  return info;
});

export function createLogger(opts: LoggerOptions): Logger {
  // winston formats an entry (timestamp, redaction of every field, JSON) before its transport
  // drops it for its level: a debug line on a hot path cost that much at level info. Entries
  // below the logger's level (as it is now: it may change) leave at the first format instead.
  const state: { logger?: Logger } = {};
  const belowLevel = winston.format((info) =>
    state.logger && !state.logger.isLevelEnabled(info.level) ? false : info,
  );
  state.logger = winston.createLogger({
    level: opts.level ?? 'info',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(
      belowLevel(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: opts.stream ?? process.stdout })],
  });
  return state.logger;
}

/** A logger whose lines are kept in memory, for tests that inspect what was logged. */
export function createCaptureLogger(service: string, level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ service, level, stream }), lines };
}
