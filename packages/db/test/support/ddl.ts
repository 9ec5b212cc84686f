import type { Client } from 'pg';
import { attr, list, namedArg, unquote, type PrismaSchema, type SchemaField, type SchemaModel } from './prisma-schema';

/**
 * One description of a database's structure, built twice: from schema.prisma (what
 * `prisma migrate` would create) and from Postgres' catalog (what the SQL migrations did
 * create). Each entry is a one-line signature so a disagreement shows up as a readable diff.
 */
export interface Ddl {
  tables: string[];
  /** `table.column` → `type [NOT NULL] [DEFAULT expr]` */
  columns: Record<string, string>;
  /** `name: PRIMARY|UNIQUE|INDEX table(cols)` */
  indexes: string[];
  /** `name: table(cols) -> table(cols) ON DELETE x ON UPDATE y` */
  foreignKeys: string[];
  enums: Record<string, string[]>;
}

const IGNORED_TABLES = ['_prisma_migrations'];

// ---------------------------------------------------------------- expected (schema.prisma)

function modelOf(schema: PrismaSchema, name: string): SchemaModel {
  const m = schema.models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
}

export function isColumn(schema: PrismaSchema, f: SchemaField): boolean {
  return !schema.models.some((m) => m.name === f.type);
}

function columnsOf(model: SchemaModel, fieldNames: string[]): string {
  return fieldNames
    .map((n) => {
      const f = model.fields.find((x) => x.name === n);
      if (!f) throw new Error(`${model.name} has no field ${n}`);
      return f.column;
    })
    .join(',');
}

function columnType(schema: PrismaSchema, f: SchemaField): string {
  const native = f.attrs.find((a) => a.name.startsWith('@db.'));
  let t: string;
  if (schema.enums.has(f.type)) t = `"${f.type}"`;
  else if (f.type === 'String') t = native?.name === '@db.Uuid' ? 'uuid' : 'text';
  else if (f.type === 'Int') t = 'integer';
  else if (f.type === 'BigInt') t = 'bigint';
  else if (f.type === 'Boolean') t = 'boolean';
  else if (f.type === 'Json') t = 'jsonb';
  else if (f.type === 'Bytes') t = 'bytea';
  else if (f.type === 'DateTime')
    t =
      native?.name === '@db.Timestamptz'
        ? `timestamp(${native.args ?? 6}) with time zone`
        : 'timestamp(3) without time zone';
  else if (f.type === 'Decimal')
    t = native?.name === '@db.Decimal' ? `numeric(${(native.args ?? '').replace(/\s/g, '')})` : 'numeric(65,30)';
  else throw new Error(`unmapped Prisma type ${f.type} (${f.name}): extend the agreement test`);
  return f.list ? `${t}[]` : t;
}

/** The SQL default `prisma migrate` writes for a field's @default, as Postgres prints it back. */
function columnDefault(schema: PrismaSchema, table: string, f: SchemaField): string | undefined {
  const d = attr(f.attrs, '@default');
  if (!d?.args) return undefined;
  const v = d.args.trim();
  if (v === 'now()') return 'CURRENT_TIMESTAMP';
  if (v === 'autoincrement()') return `nextval('${table}_${f.column}_seq'::regclass)`;
  const gen = /^dbgenerated\(([\s\S]*)\)$/.exec(v);
  if (gen?.[1] !== undefined) return unquote(gen[1]);
  if (v === '[]') return `ARRAY[]::${columnType(schema, f)}`;
  if (schema.enums.has(f.type)) return `'${v}'::"${f.type}"`;
  if (v.startsWith('"')) return `'${unquote(v)}'::text`;
  return v;
}

export function expectedDdl(schema: PrismaSchema): Ddl {
  const ddl: Ddl = { tables: [], columns: {}, indexes: [], foreignKeys: [], enums: Object.fromEntries(schema.enums) };
  for (const model of schema.models) {
    const t = model.table;
    ddl.tables.push(t);
    for (const f of model.fields) {
      if (isColumn(schema, f)) {
        // Prisma never writes NOT NULL for scalar lists (String[] is `TEXT[]`).
        const notNull = !f.optional && !f.list;
        const def = columnDefault(schema, t, f);
        ddl.columns[`${t}.${f.column}`] =
          `${columnType(schema, f)}${notNull ? ' NOT NULL' : ''}${def ? ` DEFAULT ${def}` : ''}`;
        if (attr(f.attrs, '@id')) ddl.indexes.push(`${t}_pkey: PRIMARY ${t}(${f.column})`);
        if (attr(f.attrs, '@unique')) ddl.indexes.push(`${t}_${f.column}_key: UNIQUE ${t}(${f.column})`);
        continue;
      }
      const rel = attr(f.attrs, '@relation');
      const fieldsArg = rel?.args && namedArg(rel.args, 'fields');
      if (!rel?.args || !fieldsArg) continue; // the back-reference side of a relation
      const own = list(fieldsArg);
      const refs = list(namedArg(rel.args, 'references') ?? '');
      const target = modelOf(schema, f.type);
      const required = own.some((n) => !model.fields.find((x) => x.name === n)?.optional);
      const onDelete = namedArg(rel.args, 'onDelete') ?? (required ? 'Restrict' : 'SetNull');
      const onUpdate = namedArg(rel.args, 'onUpdate') ?? 'Cascade';
      const cols = columnsOf(model, own);
      const sqlAction = (a: string) => a.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
      ddl.foreignKeys.push(
        `${t}_${cols.replace(/,/g, '_')}_fkey: ${t}(${cols}) -> ${target.table}(${columnsOf(target, refs)}) ON DELETE ${sqlAction(onDelete)} ON UPDATE ${sqlAction(onUpdate)}`,
      );
    }
    for (const a of model.blockAttrs) {
      if (!a.args || !['@@id', '@@unique', '@@index'].includes(a.name)) continue;
      const cols = columnsOf(model, list(namedArg(a.args, 'fields') ?? namedArg(a.args, null) ?? ''));
      const name = cols.replace(/,/g, '_');
      if (a.name === '@@id') ddl.indexes.push(`${t}_pkey: PRIMARY ${t}(${cols})`);
      if (a.name === '@@unique') ddl.indexes.push(`${t}_${name}_key: UNIQUE ${t}(${cols})`);
      if (a.name === '@@index') ddl.indexes.push(`${t}_${name}_idx: INDEX ${t}(${cols})`);
    }
  }
  ddl.tables.sort();
  ddl.indexes.sort();
  ddl.foreignKeys.sort();
  return ddl;
}

// ---------------------------------------------------------------- actual (Postgres catalog)

export interface ActualDdl extends Ddl {
  /** Partial indexes: Prisma cannot express them, so the SQL may add them on its own. */
  partialIndexes: string[];
}

const ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

export async function actualDdl(client: Client): Promise<ActualDdl> {
  const ignored = IGNORED_TABLES;
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_name <> ALL($1) ORDER BY table_name`,
    [ignored],
  );
  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    def: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS def
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname <> ALL($1)`,
    [ignored],
  );
  const indexes = await client.query<{
    name: string;
    table: string;
    primary: boolean;
    unique: boolean;
    partial: boolean;
    cols: string[];
  }>(
    `SELECT i.relname AS name, t.relname AS table, ix.indisprimary AS primary, ix.indisunique AS unique,
            ix.indpred IS NOT NULL AS partial,
            array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS cols
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND t.relname <> ALL($1)`,
    [ignored],
  );
  const fks = await client.query<{
    name: string;
    table: string;
    cols: string[];
    ref: string;
    refcols: string[];
    del: string;
    upd: string;
  }>(
    `SELECT c.conname AS name, t.relname AS table, r.relname AS ref,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols,
            array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS refcols,
            c.confdeltype AS del, c.confupdtype AS upd
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = 'public' AND t.relname <> ALL($1)`,
    [ignored],
  );
  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  const ddl: ActualDdl = {
    tables: tables.rows.map((r) => r.table_name),
    columns: {},
    indexes: [],
    partialIndexes: [],
    foreignKeys: [],
    enums: Object.fromEntries(enums.rows.map((r) => [r.name, r.labels])),
  };
  for (const c of columns.rows) {
    ddl.columns[`${c.table}.${c.column}`] =
      `${c.type}${c.not_null ? ' NOT NULL' : ''}${c.def !== null ? ` DEFAULT ${c.def}` : ''}`;
  }
  for (const i of indexes.rows) {
    const sig = `${i.name}: ${i.primary ? 'PRIMARY' : i.unique ? 'UNIQUE' : 'INDEX'} ${i.table}(${i.cols.join(',')})`;
    (i.partial ? ddl.partialIndexes : ddl.indexes).push(sig);
  }
  for (const f of fks.rows) {
    ddl.foreignKeys.push(
      `${f.name}: ${f.table}(${f.cols.join(',')}) -> ${f.ref}(${f.refcols.join(',')}) ON DELETE ${ACTIONS[f.del]} ON UPDATE ${ACTIONS[f.upd]}`,
    );
  }
  ddl.indexes.sort();
  ddl.foreignKeys.sort();
  return ddl;
}
