import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { Express } from 'express';
import { addIngestKeywords } from '@utm/contracts';

/** The document as the tests read it: plain JSON. */
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export interface Example {
  summary: string;
  value: unknown;
  'x-expected-error'?: string;
}

export interface MediaType {
  schema: Record<string, unknown>;
  examples?: Record<string, Example>;
}

export interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
  requestBody?: { content: Record<string, MediaType> };
}

const COMPONENTS = 'urn:utm:openapi-components';

/** `#/components/schemas/X` → a $defs entry of one schema that holds every component. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${COMPONENTS}#/$defs/`) : rebase(v),
      ]),
    );
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect) in strict mode, with the document's
 * components registered, so any schema of the document compiles and its $refs resolve.
 */
export function schemaCompiler(doc: OpenApiDoc): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
    formats: {
      uuid: UUID,
      'date-time': (s: string) =>
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)),
    },
  });
  // The request schema's two extensions (x-decimal, x-sent-at), as the gateway compiles them.
  addIngestKeywords(ajv);
  ajv.addSchema({ $id: COMPONENTS, $defs: rebase(doc.components.schemas) });
  return (schema) => ajv.compile(rebase(schema) as object);
}

/** Validates `data` against the named component; returns ajv's errors (empty when valid). */
export function componentCheck(doc: OpenApiDoc): (name: string, data: unknown) => string[] {
  const compile = schemaCompiler(doc);
  const cache = new Map<string, ValidateFunction>();
  return (name, data) => {
    let v = cache.get(name);
    if (!v) {
      v = compile({ $ref: `#/components/schemas/${name}` });
      cache.set(name, v);
    }
    return v(data)
      ? []
      : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every route the Express app answers, as "METHOD /path/{param}". */
export function appRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const method of Object.keys(layer.route.methods))
            out.push(`${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}').replace(/\{\*(\w+)\}/g, '{$1}')}`);
        }
      } else if (layer.handle.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

/**
 * @seriousme/openapi-schema-validator (the OpenAPI 3.1 JSON Schemas of the OAI, with ajv) is
 * an ES module, which jest's CommonJS runtime cannot load: it runs as its own CLI.
 */
export async function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
  const file = path.join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const cli = path.join(
    path.dirname(require.resolve('@seriousme/openapi-schema-validator/package.json')),
    'bin',
    'validate-api-cli.js',
  );
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, file]);
    return JSON.parse(stdout) as { valid: boolean; errors?: unknown };
  } catch (err) {
    // Exit code 1: invalid; the result is still on stdout.
    const stdout = (err as { stdout?: string }).stdout;
    if (!stdout) throw err;
    return JSON.parse(stdout) as { valid: boolean; errors?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
