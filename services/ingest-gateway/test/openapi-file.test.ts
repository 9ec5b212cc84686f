import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../src/openapi/document';

/** docs/openapi.json is the document GET /openapi.json serves, for readers without a running gateway. */
it('docs/openapi.json is the document the gateway serves (regenerate: npm run openapi -w @utm/ingest-gateway)', () => {
  const file = path.resolve(__dirname, '..', '..', '..', 'docs', 'openapi.json');
  const written: unknown = JSON.parse(readFileSync(file, 'utf8'));
  expect(written).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
});
