import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small reader of prisma/schema.prisma, enough to say which tables, columns, types,
 * defaults, keys, indexes and foreign keys `prisma migrate` would create for it. The Prisma
 * runtime data model (what the generated client expects) carries names only; this adds the
 * rest. The agreement test cross-checks the two, so this reader cannot silently drift from
 * the generated client.
 */
export const SCHEMA_PATH = path.resolve(__dirname, '../../../../prisma/schema.prisma');

export interface Attribute {
  name: string;
  /** The text between the parentheses, or undefined when the attribute has none. */
  args: string | undefined;
}

export interface SchemaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attrs: Attribute[];
  /** The column name (@map) */
  column: string;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  blockAttrs: Attribute[];
}

export interface PrismaSchema {
  models: SchemaModel[];
  enums: Map<string, string[]>;
}

/** Removes `//` and `///` comments, leaving `//` inside string literals alone. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** `@id @default(dbgenerated("gen_random_uuid()")) @db.Uuid` → attributes with balanced args. */
export function parseAttributes(text: string): Attribute[] {
  const out: Attribute[] = [];
  let i = 0;
  while (i < text.length) {
    const m = /^@@?[A-Za-z_][\w.]*/.exec(text.slice(i));
    if (!m) {
      i++;
      continue;
    }
    const name = m[0];
    i += name.length;
    let args: string | undefined;
    if (text[i] === '(') {
      let depth = 0;
      let inString = false;
      const start = i + 1;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '\\' && inString) i++;
        else if (c === '"') inString = !inString;
        else if (!inString && c === '(') depth++;
        else if (!inString && c === ')' && --depth === 0) break;
      }
      args = text.slice(start, i);
      i++;
    }
    out.push({ name, args });
  }
  return out;
}

export function attr(attrs: Attribute[], name: string): Attribute | undefined {
  return attrs.find((a) => a.name === name);
}

/** `"x"` → x */
export function unquote(s: string): string {
  const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(s);
  if (!m || m[1] === undefined) throw new Error(`expected a string literal, got ${s}`);
  return m[1].replace(/\\(.)/g, '$1');
}

/** The value of a named argument (`fields: [a, b]`) or of the first positional one. */
export function namedArg(args: string, name: string | null): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let cur = '';
  for (let i = 0; i < args.length; i++) {
    const c = args[i] as string;
    if (c === '"' && args[i - 1] !== '\\') inString = !inString;
    if (!inString && (c === '(' || c === '[')) depth++;
    if (!inString && (c === ')' || c === ']')) depth--;
    if (!inString && depth === 0 && c === ',') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  for (const p of parts) {
    const m = /^(\w+)\s*:\s*([\s\S]*)$/.exec(p);
    if (name === null && !m) return p;
    if (name !== null && m && m[1] === name) return m[2];
  }
  return undefined;
}

/** `[a, b]` → ['a', 'b'] */
export function list(value: string): string[] {
  return value
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseSchema(text: string = readFileSync(SCHEMA_PATH, 'utf8')): PrismaSchema {
  const clean = text.split('\n').map(stripComment).join('\n');
  const models: SchemaModel[] = [];
  const enums = new Map<string, string[]>();
  const block = /^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (let m = block.exec(clean); m; m = block.exec(clean)) {
    const [, kind, name, body] = m as unknown as [string, string, string, string];
    const lines = body
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (kind === 'enum') {
      enums.set(
        name,
        lines.filter((l) => !l.startsWith('@@')).map((l) => l.split(/\s+/)[0] as string),
      );
      continue;
    }
    const fields: SchemaField[] = [];
    const blockAttrs: Attribute[] = [];
    for (const line of lines) {
      if (line.startsWith('@@')) {
        blockAttrs.push(...parseAttributes(line));
        continue;
      }
      const f = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!f) throw new Error(`cannot read field line in model ${name}: ${line}`);
      const attrs = parseAttributes(f[5] ?? '');
      const map = attr(attrs, '@map');
      fields.push({
        name: f[1] as string,
        type: f[2] as string,
        list: Boolean(f[3]),
        optional: Boolean(f[4]),
        attrs,
        column: map?.args ? unquote(namedArg(map.args, null) ?? map.args) : (f[1] as string),
      });
    }
    const map = attr(blockAttrs, '@@map');
    models.push({ name, table: map?.args ? unquote(map.args) : name, fields, blockAttrs });
  }
  return { models, enums };
}
