import type { Express } from 'express';
import { buildOpenApiDocument, OPENAPI_PATH } from '../openapi/document';

/** GET /openapi.json (no auth): the document, built once per app. */
export function registerOpenApi(app: Express): void {
  const text = JSON.stringify(buildOpenApiDocument());
  app.get(OPENAPI_PATH, (_req, res) => {
    res.type('application/json').send(text);
  });
}
