import { randomUUID } from 'node:crypto';
import { createIngestValidator, ERROR_CODES, httpStatusOf, ingestRequestSchema, isErrorCode } from '@utm/contracts';
import { buildOpenApiDocument } from '../src/openapi/document';
import { EXAMPLE_ACCOUNT_ID } from '../src/openapi/examples';
import { json, startGateway, type TestGateway } from './support/gateway';
import {
  appRoutes,
  componentCheck,
  schemaCompiler,
  validateOpenApi,
  type Example,
  type OpenApiDoc,
  type Operation,
} from './support/openapi';

const INGEST = '/api/v1/signals/ingest';
const generated = buildOpenApiDocument();
const doc = JSON.parse(JSON.stringify(generated)) as OpenApiDoc;
const ingestOp = doc.paths[INGEST]?.post as Operation;
const requestExamples = Object.entries(ingestOp.requestBody?.content['application/json']?.examples ?? {});
const errorExamples = (status: number): Record<string, Example> =>
  ingestOp.responses[String(status)]?.content?.['application/json']?.examples ?? {};
const liveValidator = createIngestValidator();

/** The example's body for a given account (the document's placeholder replaced). */
function forAccount(value: unknown, accountId: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value).replaceAll(EXAMPLE_ACCOUNT_ID, accountId)) as Record<string, unknown>;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (and the validator does reject a broken one)', async () => {
    const result = await validateOpenApi(generated);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
    const broken = JSON.parse(JSON.stringify(generated)) as OpenApiDoc;
    (broken.paths[INGEST] as Record<string, unknown>).post = { responses: { '202': { content: 'nope' } } };
    expect(await validateOpenApi(broken)).toMatchObject({ valid: false, errors: expect.anything() });
  });

  it('has schemas that all compile as strict JSON Schema 2020-12, wherever they are', () => {
    const compile = schemaCompiler(doc);
    const schemas: unknown[] = Object.keys(doc.components.schemas).map((name) => ({
      $ref: `#/components/schemas/${name}`,
    }));
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const p of (op as { parameters?: { schema: unknown }[] }).parameters ?? []) schemas.push(p.schema);
        for (const media of Object.values(op.requestBody?.content ?? {})) schemas.push(media.schema);
        for (const r of Object.values(op.responses))
          for (const media of Object.values(r.content ?? {})) schemas.push(media.schema);
      }
    }
    expect(schemas.length).toBeGreaterThan(40);
    for (const s of schemas) expect(() => compile(s)).not.toThrow();
  });

  it('describes the request with the very schema the gateway validates with', () => {
    expect((generated.components as { schemas: Record<string, unknown> }).schemas.IngestRequest).toBe(
      ingestRequestSchema,
    );
    expect(doc.components.schemas.IngestRequest).toEqual(JSON.parse(JSON.stringify(ingestRequestSchema)));
    expect(ingestOp.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/IngestRequest',
    });
  });

  it("uses only codes of the error table, each under the HTTP status the table gives it, and covers the contract's ingest table", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json']?.schema as
            { allOf?: [unknown, { properties: { error: { enum: string[] } } }] } | undefined;
          const codes = schema?.allOf?.[1].properties.error.enum ?? [];
          for (const code of codes) {
            expect(isErrorCode(code) ? httpStatusOf(code) : `${code} is not in ERROR_CODES (${path})`).toBe(
              Number(status),
            );
          }
          for (const [name, ex] of Object.entries(response.content?.['application/json']?.examples ?? {})) {
            const error = (ex.value as { error?: string }).error;
            if (error !== undefined)
              expect({ name, code: error, listed: codes.includes(error) }).toEqual({ name, code: error, listed: true });
          }
        }
      }
    }
    expect(Object.keys(ingestOp.responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
    const errorEnum = (doc.components.schemas.ErrorBody as { properties: { error: { enum: string[] } } }).properties
      .error.enum;
    expect(errorEnum).toEqual(Object.keys(ERROR_CODES));
  });

  it('marks every invalid request example with its refusal, and every such refusal has its error example', () => {
    const invalid = requestExamples.filter(([, e]) => e['x-expected-error']);
    expect(invalid.length).toBeGreaterThanOrEqual(8);
    expect(requestExamples.length - invalid.length).toBeGreaterThanOrEqual(6);
    for (const [name, e] of invalid) {
      expect(e['x-expected-error']).toBe('VALIDATION_ERROR');
      expect(errorExamples(400)[name]?.value).toMatchObject({ success: false, error: 'VALIDATION_ERROR' });
    }
  });

  it('runs every request example through the live validator: valid ones pass, invalid ones fail with the documented details', () => {
    for (const [name, e] of requestExamples) {
      const result = liveValidator(e.value);
      if (e['x-expected-error']) {
        expect({ name, details: result.ok ? [] : result.details }).toEqual({
          name,
          details: (errorExamples(400)[name]?.value as { details: unknown }).details,
        });
      } else {
        expect({ name, ok: result.ok, details: result.ok ? [] : result.details }).toEqual({
          name,
          ok: true,
          details: [],
        });
      }
    }
  });

  it('lists every route of the app, and nothing the app does not answer', async () => {
    const gw = await startGateway();
    try {
      const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
      );
      const routes = appRoutes(gw.gateway.app);
      expect(routes.length).toBeGreaterThan(8);
      expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
      // The board is a mounted sub-app rather than a route.
      expect(documented.filter((d) => !routes.includes(d))).toEqual(['GET /admin/queues']);
    } finally {
      await gw.close();
    }
  });
});

describe('the OpenAPI document against the running gateway', () => {
  let gw: TestGateway;
  const check = componentCheck(doc);
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('is served at GET /openapi.json without a key, equal to the generated one', async () => {
    const res = await fetch(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual(doc);
  });

  it('every valid request example is accepted (202); every invalid one gets exactly its documented 400 body', async () => {
    const f = await gw.fixture({ rateLimit: 1000 });
    for (const [name, e] of requestExamples) {
      const res = await gw.post(INGEST, forAccount(e.value, f.accountId), { 'x-api-key': f.apiKey });
      const body = await json(res);
      if (e['x-expected-error']) {
        expect({ name, status: res.status, body }).toEqual({
          name,
          status: 400,
          body: forAccount(errorExamples(400)[name]?.value, f.accountId),
        });
      } else {
        expect({ name, status: res.status, errors: check('Accepted', body) }).toEqual({
          name,
          status: 202,
          errors: [],
        });
      }
    }
    // The text/plain example (TradingView) too.
    const text = ingestOp.requestBody?.content['text/plain']?.examples?.tradingview?.value;
    const res = await gw.post(INGEST, forAccount(JSON.parse(String(text)), f.accountId), {
      'x-api-key': f.apiKey,
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(202);
  });

  /** How to provoke each documented refusal for real; 500 and 503 need a broken dependency. */
  const triggers: Record<string, (f: { accountId: string; apiKey: string }) => Promise<Response>> = {
    'malformed-json': (f) => gw.post(INGEST, '{"symbol": "AAPL" "action": "openLong"}', { 'x-api-key': f.apiKey }),
    'missing-key': (f) =>
      gw.post(INGEST, forAccount({ symbol: 'AAPL', action: 'closeLong', accountId: EXAMPLE_ACCOUNT_ID }, f.accountId)),
    'unknown-key': (f) =>
      gw.post(
        INGEST,
        { symbol: 'AAPL', action: 'closeLong', accountId: f.accountId },
        { 'x-api-key': 'utm_paper_unknownunknownunknownunknown00' },
      ),
    'account-not-found': (f) =>
      gw.post(
        INGEST,
        { symbol: 'AAPL', action: 'closeLong', accountId: EXAMPLE_ACCOUNT_ID },
        { 'x-api-key': f.apiKey },
      ),
    'payload-too-large': (f) =>
      gw.post(
        INGEST,
        { symbol: 'AAPL', action: 'closeLong', accountId: f.accountId, comment: 'x'.repeat(17 * 1024) },
        { 'x-api-key': f.apiKey },
      ),
    'unsupported-media-type': (f) =>
      gw.post(INGEST, 'symbol=AAPL', { 'x-api-key': f.apiKey, 'content-type': 'application/x-www-form-urlencoded' }),
  };

  it('answers each documented ingest refusal as its example shows', async () => {
    const covered = new Set<string>();
    const f = await gw.fixture();
    for (const [name, trigger] of Object.entries(triggers)) {
      const res = await trigger(f);
      const body = await json(res);
      const example = Object.entries(ingestOp.responses).find(
        ([, r]) => r.content?.['application/json']?.examples?.[name],
      );
      expect(example).toBeDefined();
      const [status, response] = example as [string, Operation['responses'][string]];
      const expected = response.content?.['application/json']?.examples?.[name]?.value as {
        details?: { field: string }[];
      };
      expect({ name, status: res.status, errors: check('ErrorBody', body) }).toEqual({
        name,
        status: Number(status),
        errors: [],
      });
      if (name === 'malformed-json')
        expect(body).toMatchObject({ error: 'VALIDATION_ERROR', details: [{ field: 'body' }] });
      else expect({ name, body }).toEqual({ name, body: expected });
      covered.add(name);
    }

    // Those whose words carry ids or numbers of the moment.
    const live = await gw.fixture({ mode: 'LIVE', keyMode: 'PAPER' });
    const mismatch = await gw.post(
      INGEST,
      { symbol: 'AAPL', action: 'closeLong', accountId: live.accountId },
      { 'x-api-key': live.apiKey },
    );
    expect({ status: mismatch.status, body: await json(mismatch) }).toEqual({
      status: 422,
      body: errorExamples(422)['mode-mismatch']?.value,
    });
    covered.add('mode-mismatch');

    const first = await gw.post(
      INGEST,
      { symbol: 'AAPL', action: 'closeLong', accountId: f.accountId, idempotencyKey: 'k-1' },
      { 'x-api-key': f.apiKey },
    );
    const firstId = String((await json(first)).signalId);
    const conflict = await gw.post(
      INGEST,
      { symbol: 'MSFT', action: 'closeLong', accountId: f.accountId, idempotencyKey: 'k-1' },
      { 'x-api-key': f.apiKey },
    );
    const conflictExample = JSON.stringify(errorExamples(409)['idempotency-conflict']?.value).replace(
      /signal [0-9a-f-]{36}/,
      `signal ${firstId}`,
    );
    expect({ status: conflict.status, body: await json(conflict) }).toEqual({
      status: 409,
      body: JSON.parse(conflictExample),
    });
    covered.add('idempotency-conflict');

    const limited = await gw.fixture({ rateLimit: 1 });
    expect(
      (
        await gw.post(
          INGEST,
          { symbol: 'AAPL', action: 'closeLong', accountId: limited.accountId },
          { 'x-api-key': limited.apiKey },
        )
      ).status,
    ).toBe(202);
    const tooMany = await gw.post(
      INGEST,
      { symbol: 'AAPL', action: 'closeLong', accountId: limited.accountId },
      { 'x-api-key': limited.apiKey },
    );
    const shape = (b: unknown) => JSON.stringify(b).replace(/\d+/g, 'N');
    expect({
      status: tooMany.status,
      body: shape(await json(tooMany)),
      retryAfter: Number(tooMany.headers.get('retry-after')) > 0,
    }).toEqual({
      status: 429,
      body: shape(errorExamples(429)['rate-limited']?.value),
      retryAfter: true,
    });
    covered.add('rate-limited');

    const invalid = requestExamples.filter(([, e]) => e['x-expected-error']).map(([name]) => name);
    const notProvoked = Object.values(ingestOp.responses)
      .flatMap((r) => Object.keys(r.content?.['application/json']?.examples ?? {}))
      .filter((name) => !covered.has(name) && !invalid.includes(name));
    expect(notProvoked.sort()).toEqual(['dependency-down', 'internal']);
  });

  it('answers a duplicate with the documented 200 body', async () => {
    const f = await gw.fixture();
    const body = { symbol: 'AAPL', action: 'closeLong', accountId: f.accountId, idempotencyKey: randomUUID() };
    await gw.post(INGEST, body, { 'x-api-key': f.apiKey });
    const dup = await gw.post(INGEST, body, { 'x-api-key': f.apiKey });
    expect({ status: dup.status, errors: check('Duplicate', await json(dup)) }).toEqual({ status: 200, errors: [] });
  });
});
