import { paths } from './paths';
import { componentSchemas, type Schema } from './schemas';

export const OPENAPI_PATH = '/openapi.json';

/**
 * The gateway's OpenAPI 3.1 document, built at start-up from the JSON Schemas the gateway
 * validates with (@utm/contracts), the database enums and the error table. Served at
 * GET /openapi.json.
 */
export function buildOpenApiDocument(): Schema {
  return {
    openapi: '3.1.1',
    info: {
      title: 'utm signal platform: ingest gateway',
      version: '1.0.0',
      summary: 'Webhook ingest of trading signals, and reading them back',
      description:
        'Every error body is {"success": false, "error": CODE, "message": "...", "details": [{"field", "message"}]} (details for VALIDATION_ERROR). ' +
        'Every response carries X-Request-Id. Decimals are JSON strings in responses; numbers are accepted in requests. ' +
        'Execution is asynchronous: BROKER_ERROR and rule refusals appear on the signal, never as an ingest answer.',
    },
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        ApiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        ApiKeyQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'apiKey',
          description: 'For senders that cannot set headers (TradingView); never logged',
        },
        AdminBearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN of the gateway' },
        AdminBasic: { type: 'http', scheme: 'basic', description: 'Any user name, ADMIN_TOKEN as password (browsers)' },
      },
      headers: {
        'X-Request-Id': {
          description: "The caller's X-Request-Id if sane, else a fresh uuid",
          schema: { type: 'string' },
        },
      },
    },
  };
}
