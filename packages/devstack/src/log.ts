import path from 'node:path';

/** A problem the user can fix, told in one line (entry points print it without a stack). */
export class DevstackError extends Error {
  override name = 'DevstackError';
}

/** One status line on stderr, prefixed so it stands out among the services' JSON logs. */
export function say(message: string): void {
  process.stderr.write(`devstack: ${message}\n`);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause =
      err.cause instanceof Error && !err.message.includes(err.cause.message) ? ` (${err.cause.message})` : '';
    return `${err.message || err.name}${cause}`;
  }
  return String(err);
}

/** A connection URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL we can parse: print none of it rather than risk a password.
    return '<unparseable URL>';
  }
}

/** A path relative to the repository root when inside it, for shorter messages. */
export function shortPath(root: string, p: string): string {
  const rel = path.relative(root, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
