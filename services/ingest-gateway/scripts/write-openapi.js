#!/usr/bin/env node
// Writes the gateway's OpenAPI document (as GET /openapi.json serves it, from the built dist) to
// docs/openapi.json, beside docs/contract.md. test/openapi-file.test.ts fails when the two differ.
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { buildOpenApiDocument } = require('../dist/openapi/document');

const target = path.join(__dirname, '..', '..', '..', 'docs', 'openapi.json');
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), target) || target}\n`);
