/**
 * A failure as one line for a signal's error message: Prisma wraps database errors in a
 * multi-line "Invalid `prisma.x()` invocation" text; keep the database's own words and code.
 */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const raw = /Code: `(\w+)`\. Message: `([^`]*)`/.exec(message);
  if (raw) return `${raw[2]} (SQLSTATE ${raw[1]})`;
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (/^[0-9A-Z]{5}$/.test(code)) return `${message.split('\n')[0] ?? message} (SQLSTATE ${code})`;
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Invalid `.*` invocation/.test(l));
  return (lines.join(' ') || 'unknown error').slice(0, 500);
}
